package medusa

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Tariff is the bank's fee schedule, a documented server setting.
type Tariff struct {
	// AcquiringRate is the acquiring fee as a fraction of a service's price.
	AcquiringRate decimal.Decimal
	// PayoutRate is the payout fee as a fraction of a service's price.
	PayoutRate decimal.Decimal
}

// DefaultTariff is 2.00% acquiring and 0.50% payout.
var DefaultTariff = Tariff{
	AcquiringRate: decimal.RequireFromString("0.02"),
	PayoutRate:    decimal.RequireFromString("0.005"),
}

// Fees is how a service's commission is split.
type Fees struct {
	Acquiring decimal.Decimal // incomePaymentCommissionSum
	Payout    decimal.Decimal // outgoingPayoutCommissionSum
	Platform  decimal.Decimal // platformCommissionSum
}

// kopecks rounds half up to 2 decimals (RUB).
func kopecks(d decimal.Decimal) decimal.Decimal { return d.Round(2) }

// Split divides commission for a service of price into the bank's fees and
// the platform's remainder. The commission must cover both fees and must not
// exceed the price.
func (t Tariff) Split(price, commission decimal.Decimal) (Fees, error) {
	f := Fees{
		Acquiring: kopecks(price.Mul(t.AcquiringRate)),
		Payout:    kopecks(price.Mul(t.PayoutRate)),
	}
	if commission.GreaterThan(price) {
		return Fees{}, Errorf(EValidation, "commission %s exceeds price %s", Money(commission), Money(price))
	}
	bank := f.Acquiring.Add(f.Payout)
	if commission.LessThan(bank) {
		return Fees{}, Errorf(EValidation, "commission %s does not cover the bank's fees %s (acquiring %s + payout %s)",
			Money(commission), Money(bank), Money(f.Acquiring), Money(f.Payout))
	}
	f.Platform = commission.Sub(bank)
	return f, nil
}

// SplitOrderCommission spreads a v1 orderCommission over prices in proportion,
// each share rounded to kopecks and the rounding remainder on the last.
func SplitOrderCommission(total decimal.Decimal, prices []decimal.Decimal) []decimal.Decimal {
	sum := decimal.Zero
	for _, p := range prices {
		sum = sum.Add(p)
	}
	shares := make([]decimal.Decimal, len(prices))
	given := decimal.Zero
	for i, p := range prices {
		if i == len(prices)-1 {
			shares[i] = total.Sub(given)
			break
		}
		if sum.IsZero() {
			shares[i] = decimal.Zero
			continue
		}
		// Rounding up must never hand out more than the total.
		shares[i] = decimal.Min(kopecks(total.Mul(p).Div(sum)), total.Sub(given))
		given = given.Add(shares[i])
	}
	return shares
}

// ParseAmount reads a RUB amount: a plain decimal with at most 2 decimals.
// field names the request field for the error message.
func ParseAmount(field, s string) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	if t == "" || strings.ContainsAny(t, "eE+") || t != s {
		return decimal.Decimal{}, Errorf(EValidation, "%s: %q is not a decimal amount like \"100.00\"", field, s)
	}
	d, err := decimal.NewFromString(t)
	if err != nil {
		return decimal.Decimal{}, Errorf(EValidation, "%s: %q is not a decimal amount like \"100.00\"", field, s)
	}
	if d.Exponent() < -2 && !d.Equal(d.Round(2)) {
		return decimal.Decimal{}, Errorf(EValidation, "%s: %q has more than 2 decimal places", field, s)
	}
	if d.IsNegative() {
		return decimal.Decimal{}, Errorf(EValidation, "%s: %q must not be negative", field, s)
	}
	return d, nil
}

// Money formats an amount the way the API does: 2 decimals.
func Money(d decimal.Decimal) string { return d.StringFixed(2) }

// Account is a ledger account. Movements go from the debit account (money
// leaves it) to the credit account (money arrives).
type Account string

const (
	AccountBuyer      Account = "buyer"      // the payer's card or SBP account
	AccountNominal    Account = "nominal"    // the platform's nominal account at the bank
	AccountRecipient  Account = "recipient"  // sellers' payout accounts
	AccountBank       Account = "bank"       // the bank's fee income
	AccountCommission Account = "commission" // the platform's commission account
	AccountSettlement Account = "settlement" // the platform's settlement account
)

// Posting is one ledger row.
type Posting struct {
	Step   string
	Debit  Account
	Credit Account
	Amount decimal.Decimal
	At     time.Time
}

// Balances are an order's account balances derived from its postings.
type Balances struct {
	Nominal    decimal.Decimal
	Commission decimal.Decimal
	Settlement decimal.Decimal
}

// BalancesOf sums postings into the balances of the platform's accounts.
func BalancesOf(postings []Posting) Balances {
	all := map[Account]decimal.Decimal{}
	for _, p := range postings {
		all[p.Debit] = all[p.Debit].Sub(p.Amount)
		all[p.Credit] = all[p.Credit].Add(p.Amount)
	}
	return Balances{
		Nominal:    all[AccountNominal],
		Commission: all[AccountCommission],
		Settlement: all[AccountSettlement],
	}
}
