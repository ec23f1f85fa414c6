package server

import (
	"context"
	"net/http"
)

// requestInfo is what one request carries through the middlewares: its id
// (also the `id` of any error it returns), and what the access log needs to
// know about how it ended.
type requestInfo struct {
	id         string
	selfURL    string
	platformID string
	// rawBody is the request body exactly as received (signatures and the
	// Cryptomus rules work on these bytes); merchant is the authenticated
	// Cryptomus merchant (*cryptomus.Merchant).
	rawBody  []byte
	merchant any
	// shopID is the YooKassa shop authenticated by HTTP Basic.
	shopID string
	// errCode and errDetail describe a failed request for the log line; the
	// detail may be an internal error's text, which is never sent to clients.
	errCode   string
	errDetail string
}

type ctxKey struct{}

func withInfo(ctx context.Context, info *requestInfo) context.Context {
	return context.WithValue(ctx, ctxKey{}, info)
}

// info returns the request's info; handlers always run behind the
// middleware that sets it, the fallback only keeps tests of parts simple.
func info(ctx context.Context) *requestInfo {
	if i, ok := ctx.Value(ctxKey{}).(*requestInfo); ok {
		return i
	}
	return &requestInfo{}
}

func infoOf(r *http.Request) *requestInfo { return info(r.Context()) }
