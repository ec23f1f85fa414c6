package cryptomus

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Sign is Cryptomus's request signature: the lower-case hex MD5 of the
// standard base64 of the raw body followed by the API key.
func Sign(body []byte, key string) string {
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString(body) + key))
	return hex.EncodeToString(sum[:])
}

// VerifySign reports whether sign is Sign(body, key), ignoring the case of
// the hex digits. The comparison is constant-time over equal-length slices;
// only the length (always 32 for a real signature) can leak.
func VerifySign(body []byte, key, sign string) bool {
	want := []byte(Sign(body, key))
	got := []byte(strings.ToLower(sign))
	if len(got) != len(want) {
		return false
	}
	return subtle.ConstantTimeCompare(got, want) == 1
}
