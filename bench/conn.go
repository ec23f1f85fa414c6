package bench

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// conn is one worker's keep-alive HTTP/1.1 connection. The generator shares
// the machine with the server it measures, so it writes requests and reads
// answers itself instead of through net/http's Transport, whose two
// goroutines per connection and hand-offs per request were half of the
// generator's CPU. Answers are still read by net/http (http.ReadResponse).
type conn struct {
	base   string // the server's base URL, as given
	target *url.URL
	addr   string // host:port to dial
	nc     net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
}

// requestTimeout bounds one request, so that a server that hangs fails the
// run instead of hanging it.
const requestTimeout = 30 * time.Second

func newConn(base string) (*conn, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("bench: the base URL must be http:// or https:// with a host, not %q", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") // requests' paths begin with "/"
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	}
	return &conn{base: base, target: u, addr: addr}, nil
}

// another is a connection of its own to the same server, not yet dialled.
func (c *conn) another() *conn {
	return &conn{base: c.base, target: c.target, addr: c.addr}
}

func (c *conn) dial() error {
	nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
	if err != nil {
		return err
	}
	if c.target.Scheme == "https" {
		tc := tls.Client(nc, &tls.Config{ServerName: c.target.Hostname()})
		if err := tc.Handshake(); err != nil {
			nc.Close()
			return err
		}
		nc = tc
	}
	c.nc, c.br, c.bw = nc, bufio.NewReaderSize(nc, 16<<10), bufio.NewWriterSize(nc, 16<<10)
	return nil
}

// close drops the connection; the next request dials again.
func (c *conn) close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
}

// roundTrip sends one request and reads its whole answer; a body without a
// Content-Type in header goes as application/json. A request that
// fails on the wire is not sent again: it may have reached the server.
func (c *conn) roundTrip(method, path string, header http.Header, body []byte) (status int, answer []byte, err error) {
	if c.nc == nil {
		if err := c.dial(); err != nil {
			return 0, nil, err
		}
	}
	status, answer, keep, err := c.exchange(method, path, header, body)
	if err != nil || !keep {
		c.close()
	}
	return status, answer, err
}

func (c *conn) exchange(method, path string, header http.Header, body []byte) (status int, answer []byte, keep bool, err error) {
	if err := c.nc.SetDeadline(time.Now().Add(requestTimeout)); err != nil {
		return 0, nil, false, err
	}
	w := c.bw
	w.WriteString(method)
	w.WriteByte(' ')
	w.WriteString(c.target.Path)
	w.WriteString(path)
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(c.target.Host)
	w.WriteString("\r\nUser-Agent: paysandbox-bench\r\n")
	if body != nil || method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		w.WriteString("Content-Length: ")
		w.WriteString(strconv.Itoa(len(body)))
		w.WriteString("\r\n")
	}
	for k, vs := range header {
		for _, v := range vs {
			w.WriteString(k)
			w.WriteString(": ")
			w.WriteString(v)
			w.WriteString("\r\n")
		}
	}
	if body != nil && header.Get("Content-Type") == "" {
		w.WriteString("Content-Type: application/json\r\n") // what every flow sends
	}
	w.WriteString("\r\n")
	w.Write(body)
	if err := w.Flush(); err != nil {
		return 0, nil, false, err
	}
	res, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return 0, nil, false, err
	}
	answer, err = readAnswer(res)
	if err != nil {
		return 0, nil, false, err
	}
	return res.StatusCode, answer, !res.Close, nil
}

// readAnswer reads a response body whole, in one allocation when its length
// is declared.
func readAnswer(res *http.Response) ([]byte, error) {
	defer res.Body.Close()
	if n := res.ContentLength; n >= 0 && n <= 1<<20 {
		b := make([]byte, n)
		if _, err := io.ReadFull(res.Body, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	return io.ReadAll(res.Body)
}
