package yookassa

import (
	"crypto/rand"
	"fmt"
	"regexp"
)

// YooKassa's ids are 36 characters shaped like UUIDs whose second and third
// groups name the object: "2419a771-000f-5000-9000-1edaf29243f2" is a
// payment, "216749f7-0015-5000-a000-078d43a63ae4" a refund.
const (
	paymentIDKind = "000f"
	refundIDKind  = "0015"
)

// NewPaymentID returns a fresh random payment id.
func NewPaymentID() string { return newID(paymentIDKind) }

// NewRefundID returns a fresh random refund id.
func NewRefundID() string { return newID(refundIDKind) }

// newID is "%08x-<kind>-5000-%04x-%012x" from crypto/rand; the fourth group
// starts with 8, 9, a or b as in YooKassa's (and RFC 4122's variant) ids.
func newID(kind string) string {
	var b [12]byte
	rand.Read(b[:]) // never fails (crypto/rand.Read panics instead)
	b[4] = b[4]&0x3f | 0x80
	return fmt.Sprintf("%x-%s-5000-%x-%x", b[0:4], kind, b[4:6], b[6:12])
}

var (
	paymentIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-000f-5000-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	refundIDPattern  = regexp.MustCompile(`^[0-9a-f]{8}-0015-5000-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// IsPaymentID reports whether id has the shape of the ids NewPaymentID makes.
func IsPaymentID(id string) bool { return paymentIDPattern.MatchString(id) }

// IsRefundID reports whether id has the shape of the ids NewRefundID makes.
func IsRefundID(id string) bool { return refundIDPattern.MatchString(id) }
