package yookassa

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Currencies the sandbox accepts (ISO 4217, upper case). YooKassa's shops
// work in RUB; USD and EUR are accepted for clients that send them.
const (
	CurrencyRUB = "RUB"
	CurrencyUSD = "USD"
	CurrencyEUR = "EUR"
)

// IsCurrency reports whether c is a currency the sandbox accepts.
func IsCurrency(c string) bool {
	return c == CurrencyRUB || c == CurrencyUSD || c == CurrencyEUR
}

// DefaultFeeRate is the sandbox's YooKassa fee, 3.5% of a captured amount
// (a documented server setting; see Operations.FeeRate).
var DefaultFeeRate = decimal.RequireFromString("0.035")

// Amount is YooKassa's amount object {value, currency}.
type Amount struct {
	Value    decimal.Decimal
	Currency string
}

// FormatValue formats an amount's value the way YooKassa sends it: a string
// with 2 decimals ("2.00").
func FormatValue(d decimal.Decimal) string { return d.StringFixed(2) }

// String is "2.00 RUB", for messages.
func (a Amount) String() string { return FormatValue(a.Value) + " " + a.Currency }

// ParseAmount reads the amount object named param ("amount") from its wire
// strings and validates it (see Validate).
func ParseAmount(param, value, currency string) (Amount, error) {
	bad := ParamErrorf(EInvalidRequest, param+".value",
		"Invalid value of %s.value: %q. Specify a positive decimal amount with at most 2 decimal places, e.g. \"100.00\"",
		param, value)
	if value == "" || strings.TrimSpace(value) != value || strings.ContainsAny(value, "eE+_") {
		return Amount{}, bad
	}
	d, err := decimal.NewFromString(value)
	if err != nil {
		return Amount{}, bad
	}
	a := Amount{Value: d, Currency: currency}
	return a, a.Validate(param)
}

// Validate checks an amount object named param: a value above zero with at
// most 2 decimal places, in an accepted currency.
func (a Amount) Validate(param string) error {
	if !a.Value.IsPositive() {
		return ParamErrorf(EInvalidRequest, param+".value",
			"Invalid value of %s.value: %s. The amount must be greater than 0", param, a.Value)
	}
	if !a.Value.Equal(a.Value.Round(2)) {
		return ParamErrorf(EInvalidRequest, param+".value",
			"Invalid value of %s.value: %s. The amount must have at most 2 decimal places", param, a.Value)
	}
	if !IsCurrency(a.Currency) {
		return ParamErrorf(EInvalidRequest, param+".currency",
			"Invalid value of %s.currency: %q. Supported currencies: RUB, USD, EUR", param, a.Currency)
	}
	return nil
}

// Fee is YooKassa's fee on value at rate, rounded half up to kopecks.
func Fee(value, rate decimal.Decimal) decimal.Decimal { return value.Mul(rate).Round(2) }

// IncomeOf is the amount the shop receives for a captured amount: the
// amount minus the fee at rate.
func IncomeOf(a Amount, rate decimal.Decimal) Amount {
	return Amount{Value: a.Value.Sub(Fee(a.Value, rate)), Currency: a.Currency}
}
