package bench

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"time"
)

// Baseline drives a bare net/http handler, answering a JSON body of
// bodySize bytes to POSTs of the same size, with the same generator, for
// the same time: the ceiling of what this machine serves over loopback.
func Baseline(ctx context.Context, conns int, d time.Duration, bodySize int) (Result, error) {
	body := append([]byte(`{"Data":{"result":"`), bytes.Repeat([]byte("x"), max(0, bodySize-22))...)
	body = append(body, `"}}`...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	flow := Flow{
		Name: "baseline",
		Run: func(c *Client) (string, error) {
			_, err := c.Do(Request{Op: "baseline", Mutating: true, Method: "POST", Path: "/", Body: body, Want: 200})
			return "", err
		},
		Verify: func(*Client, string) error { return nil },
	}
	return Run(ctx, Config{BaseURL: "http://" + ln.Addr().String(), Duration: d, Conns: conns, Flows: []Flow{flow}})
}
