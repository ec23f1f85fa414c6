package cryptomus

import "github.com/shopspring/decimal"

// RefundFeeRate is the sandbox's refund fee as a fraction of the refunded
// amount: 0.01 = 1.00%. It is a documented sandbox setting (Cryptomus does
// not publish one rate); tests may change it.
var RefundFeeRate = decimal.RequireFromString("0.01")

// FeePlaces is the precision of fees: 8 decimals, like the amounts of most
// cryptocurrencies.
const FeePlaces = 8

// RefundFee is the fee of refunding amount: amount × RefundFeeRate, rounded
// half up to FeePlaces decimals.
func RefundFee(amount decimal.Decimal) decimal.Decimal {
	return amount.Mul(RefundFeeRate).Round(FeePlaces)
}

// FormatAmount formats an amount for the wire and for storage: plain decimal
// notation (never an exponent) that keeps the decimals the value carries, so
// "10.00" stays "10.00" and "0.12345678" stays "0.12345678". Values parsed
// from a client keep the scale the client sent; sums keep the larger scale.
func FormatAmount(d decimal.Decimal) string {
	if e := d.Exponent(); e < 0 {
		return d.StringFixed(-e)
	}
	return d.StringFixed(0)
}

// ParseAmount reads back a FormatAmount string (or any decimal text), keeping
// its scale.
func ParseAmount(s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, Errorf(EValidation, "%q is not a decimal amount", s)
	}
	return d, nil
}
