package cryptomus

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// The seed's refund example body, signed by hand the way Cryptomus
// documents it: md5(base64(body) + key), lower-case hex.
const seedBody = `{"uuid":"8b03432e-385b-4670-8d06-064591096795","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":"true"}`

func TestSignKnownVector(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte(seedBody))
	want := fmt.Sprintf("%x", md5.Sum([]byte(b64+DefaultPaymentKey)))
	if got := Sign([]byte(seedBody), DefaultPaymentKey); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	// A fixed vector, so that a change of the algorithm (URL-safe base64,
	// key before body, upper case) shows even if the lines above change with it:
	// md5("e30=" + "k") for the body "{}".
	if got, want := Sign([]byte("{}"), "k"), fmt.Sprintf("%x", md5.Sum([]byte("e30=k"))); got != want {
		t.Fatalf(`Sign("{}", "k") = %s, want %s`, got, want)
	}
	// The same two vectors as literals, computed outside Go
	// (printf … | base64 -w0, then md5sum).
	for _, v := range []struct{ body, key, want string }{
		{"{}", "k", "17cc27615060579b99f3d5921adfeceb"},
		{seedBody, DefaultPaymentKey, "f6a92a73508cf22ed8d60df622a54e05"},
	} {
		if got := Sign([]byte(v.body), v.key); got != v.want {
			t.Errorf("Sign(%s, %s) = %s, want %s", v.body, v.key, got, v.want)
		}
	}
	if got := Sign([]byte("{}"), "k"); len(got) != 32 || strings.ToLower(got) != got {
		t.Fatalf("Sign = %q: want 32 lower-case hex digits", got)
	}
	// base64 with padding and '+' / '/' characters: the standard alphabet.
	body := []byte{0xfb, 0xff, 0xfe}
	if got, want := Sign(body, "k"), fmt.Sprintf("%x", md5.Sum([]byte("+//+k"))); got != want {
		t.Fatalf("Sign of %x = %s, want %s (standard base64 alphabet)", body, got, want)
	}
}

func TestVerifySign(t *testing.T) {
	body := []byte(seedBody)
	good := Sign(body, DefaultPaymentKey)
	flipped := []byte(good)
	if flipped[5] == '0' {
		flipped[5] = '1'
	} else {
		flipped[5] = '0'
	}
	changedBody := []byte(seedBody)
	changedBody[10] ^= 1
	cases := []struct {
		name string
		body []byte
		key  string
		sign string
		want bool
	}{
		{"correct", body, DefaultPaymentKey, good, true},
		{"upper-case hex accepted", body, DefaultPaymentKey, strings.ToUpper(good), true},
		{"one byte of the body changed", changedBody, DefaultPaymentKey, good, false},
		{"a trailing newline added to the body", append([]byte(seedBody), '\n'), DefaultPaymentKey, good, false},
		{"other key", body, DefaultPayoutKey, good, false},
		{"one hex digit changed (same length: constant-time compare)", body, DefaultPaymentKey, string(flipped), false},
		{"truncated", body, DefaultPaymentKey, good[:31], false},
		{"one digit too many", body, DefaultPaymentKey, good + "0", false},
		{"empty", body, DefaultPaymentKey, "", false},
		{"the seed's (fake, 34 digits) sign", body, DefaultPaymentKey, "fe99035f86fa436181717b302b95bacff1", false},
		{"sign of the key alone", body, DefaultPaymentKey, fmt.Sprintf("%x", md5.Sum([]byte(DefaultPaymentKey))), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := VerifySign(c.body, c.key, c.sign); got != c.want {
				t.Fatalf("VerifySign = %v, want %v", got, c.want)
			}
		})
	}
}
