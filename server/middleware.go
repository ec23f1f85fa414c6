package server

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/google/uuid"
)

// MaxBodyBytes is the largest request body accepted; larger ones get 413.
const MaxBodyBytes = 1 << 20

// timeoutAnswerTime is how long the 408 of a body that came too slowly
// may take to write.
const timeoutAnswerTime = 5 * time.Second

// statusRecorder remembers the status for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (hijack, flush).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// accessLog gives every request an id and logs one line when it ends. It
// logs no header and no body, so tokens, keys and signatures never reach it.
func accessLog(log *slog.Logger, publicURL string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &requestInfo{id: uuid.NewString(), selfURL: publicURL + r.URL.RequestURI()}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(withInfo(r.Context(), ri)))
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)),
			slog.String("request_id", ri.id),
		}
		level := slog.LevelInfo
		if ri.errCode != "" {
			attrs = append(attrs, slog.String("error_id", ri.id), slog.String("error_code", ri.errCode), slog.String("error", ri.errDetail))
			if rec.status >= 500 {
				level = slog.LevelError
			}
		}
		log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// recoverPanics turns a panic into the API's 500 so no stack trace reaches
// the client; the log keeps what happened.
func recoverPanics(apis apiSet, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				ri := infoOf(r)
				ri.errDetail = "panic: " + slog.AnyValue(v).String()
				apis.forPath(r.URL.Path).render(w, r, problem{status: http.StatusInternalServerError, kind: kindInternal, message: "Internal server error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// readBody reads at most MaxBodyBytes and puts the bytes back on the request
// so that validation and decoding both see them. ok is false when the
// response (413 or 400) has already been written.
func readBody(a *api, w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, true
	}
	body, err := readAllSized(http.MaxBytesReader(w, r.Body, MaxBodyBytes), r.ContentLength) // net/http holds the client to it
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			a.render(w, r, problem{status: http.StatusRequestEntityTooLarge, kind: kindTooLarge,
				message: "Request body is larger than 1 MiB"})
			return nil, false
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// The client sent the body too slowly (http.Server's
			// ReadTimeout). The write deadline began with the headers, so
			// give the short answer time of its own to get out.
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(timeoutAnswerTime))
			a.render(w, r, problem{status: http.StatusRequestTimeout, kind: kindValidation,
				message: "Request body was not received in time"})
			return nil, false
		}
		a.render(w, r, problem{status: http.StatusBadRequest, kind: kindValidation, message: "Request body could not be read"})
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, true
}

// readAllSized reads r to its end. When its size is known and small, that
// is one allocation of exactly the size (io.ReadAll grows its buffer from
// 512 bytes); otherwise the buffer grows with what arrives, so a large
// declared length costs nothing until it is sent.
func readAllSized(r io.Reader, size int64) ([]byte, error) {
	const sizedUpTo = 64 << 10
	if size <= 0 || size > sizedUpTo {
		return io.ReadAll(r)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, err
	}
	return data, nil
}
