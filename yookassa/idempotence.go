package yookassa

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// IdempotenceTTL is how long YooKassa keeps an idempotence key: a repeat
// within it gets the stored response; after it the key is new again.
const IdempotenceTTL = 24 * time.Hour

// MaxIdempotenceKey is the longest Idempotence-Key YooKassa accepts.
const MaxIdempotenceKey = 64

// IdemKey is one POST's Idempotence-Key header and the fingerprint of its
// request (see Fingerprint).
type IdemKey struct {
	Key         string
	Fingerprint string
}

// Fingerprint hashes the canonical request that an idempotence key is bound
// to: the operation name, the path and the raw body bytes. Two requests with
// the same key are the same request only when their fingerprints are equal.
func Fingerprint(operation, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(operation))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// ValidateIdempotenceKey checks an Idempotence-Key header: 1 to 64
// characters of 0-9, a-z, A-Z, '+', '-', '_' and '.'.
func ValidateIdempotenceKey(key string) error {
	if key == "" {
		return ParamErrorf(EInvalidRequest, "Idempotence-Key",
			"Idempotence-Key header is required for POST requests")
	}
	ok := len(key) <= MaxIdempotenceKey
	for i := 0; ok && i < len(key); i++ {
		c := key[i]
		ok = '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			c == '+' || c == '-' || c == '_' || c == '.'
	}
	if !ok {
		return ParamErrorf(EInvalidRequest, "Idempotence-Key",
			"Invalid Idempotence-Key: use 1 to %d characters of 0-9, a-z, A-Z, '+', '-', '_' and '.'", MaxIdempotenceKey)
	}
	return nil
}

// IdemRecord is a stored idempotence key: the shop's key, the fingerprint of
// the request that used it, the response that request got and when.
type IdemRecord struct {
	ShopID      string
	Key         string
	Fingerprint string
	Status      int
	Body        []byte
	CreatedAt   time.Time
}

// LiveAt reports whether the record still binds its key at now: it is
// younger than IdempotenceTTL.
func (r *IdemRecord) LiveAt(now time.Time) bool { return now.Sub(r.CreatedAt) < IdempotenceTTL }

// Replay answers a request that reuses the live record's key: the stored
// response for the same request (fingerprint), else invalid_request
// "Idempotence key duplicated".
func (r *IdemRecord) Replay(fingerprint string) (status int, body []byte, err error) {
	if fingerprint != r.Fingerprint {
		return 0, nil, ParamErrorf(EInvalidRequest, "Idempotence-Key", "Idempotence key duplicated")
	}
	return r.Status, bytes.Clone(r.Body), nil
}
