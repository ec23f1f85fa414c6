package medusa

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestDefaultTariff(t *testing.T) {
	decEq(t, "AcquiringRate", DefaultTariff.AcquiringRate, dec("0.02"))
	decEq(t, "PayoutRate", DefaultTariff.PayoutRate, dec("0.005"))
}

func TestTariffSplit(t *testing.T) {
	tests := []struct {
		name                string
		tariff              Tariff
		price, commission   string
		acq, payout, platf  string
		wantCode            ErrorCode
		wantMessageContains string
	}{
		{name: "typical", price: "1000.00", commission: "100.00", acq: "20.00", payout: "5.00", platf: "75.00"},
		{name: "half kopeck rounds up, quarter rounds down", price: "0.25", commission: "0.01", acq: "0.01", payout: "0.00", platf: "0.00"},
		{name: "payout fee 0.005 rounds up", price: "1.00", commission: "0.03", acq: "0.02", payout: "0.01", platf: "0.00"},
		{name: "payout fee 0.0049 rounds down", price: "0.98", commission: "0.02", acq: "0.02", payout: "0.00", platf: "0.00"},
		{name: "acquiring 0.0198 rounds up", price: "0.99", commission: "0.99", acq: "0.02", payout: "0.00", platf: "0.97"},
		{name: "tiny price, zero fees", price: "0.01", commission: "0.00", acq: "0.00", payout: "0.00", platf: "0.00"},
		{name: "commission exactly covers fees", price: "1000.00", commission: "25.00", acq: "20.00", payout: "5.00", platf: "0.00"},
		{name: "commission equals price", price: "100.00", commission: "100.00", acq: "2.00", payout: "0.50", platf: "97.50"},
		{name: "odd price", price: "123.45", commission: "10.00", acq: "2.47", payout: "0.62", platf: "6.91"},
		{name: "large price", price: "100000.00", commission: "3000.00", acq: "2000.00", payout: "500.00", platf: "500.00"},
		{name: "custom tariff", tariff: Tariff{AcquiringRate: dec("0.03"), PayoutRate: dec("0.01")}, price: "200.00", commission: "10.00", acq: "6.00", payout: "2.00", platf: "2.00"},
		{name: "commission below fees by a kopeck", price: "1000.00", commission: "24.99", wantCode: EValidation, wantMessageContains: "does not cover"},
		{name: "zero commission with fees", price: "1000.00", commission: "0.00", wantCode: EValidation, wantMessageContains: "does not cover"},
		{name: "commission above price", price: "100.00", commission: "100.01", wantCode: EValidation, wantMessageContains: "exceeds price"},
		{name: "negative commission", price: "100.00", commission: "-1.00", wantCode: EValidation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tariff := tc.tariff
			if tariff.AcquiringRate.IsZero() {
				tariff = DefaultTariff
			}
			f, err := tariff.Split(dec(tc.price), dec(tc.commission))
			wantCode(t, err, tc.wantCode)
			if tc.wantCode != "" {
				if !strings.Contains(err.Error(), tc.wantMessageContains) {
					t.Errorf("message %q does not contain %q", err, tc.wantMessageContains)
				}
				if f.Acquiring.IsZero() != true || f.Payout.IsZero() != true || f.Platform.IsZero() != true {
					t.Errorf("fees on error = %+v, want zero", f)
				}
				return
			}
			decEq(t, "Acquiring", f.Acquiring, dec(tc.acq))
			decEq(t, "Payout", f.Payout, dec(tc.payout))
			decEq(t, "Platform", f.Platform, dec(tc.platf))
			decEq(t, "sum of fees", f.Acquiring.Add(f.Payout).Add(f.Platform), dec(tc.commission))
			for name, v := range map[string]decimal.Decimal{"Acquiring": f.Acquiring, "Payout": f.Payout, "Platform": f.Platform} {
				if v.IsNegative() || !v.Equal(v.Round(2)) {
					t.Errorf("%s = %s is negative or has more than 2 decimals", name, v)
				}
			}
		})
	}
}

func TestSplitOrderCommission(t *testing.T) {
	tests := []struct {
		name   string
		total  string
		prices []string
		want   []string
	}{
		{name: "thirds, remainder on the last", total: "100.00", prices: []string{"1", "1", "1"}, want: []string{"33.33", "33.33", "33.34"}},
		{name: "proportional", total: "150.00", prices: []string{"1000.00", "500.00"}, want: []string{"100.00", "50.00"}},
		{name: "single service takes all", total: "12.34", prices: []string{"99.99"}, want: []string{"12.34"}},
		{name: "half kopeck rounds up, last absorbs", total: "0.01", prices: []string{"1", "1"}, want: []string{"0.01", "0.00"}},
		{name: "rounding down, last absorbs", total: "10.00", prices: []string{"1", "2"}, want: []string{"3.33", "6.67"}},
		{name: "zero total", total: "0.00", prices: []string{"5.00", "7.00"}, want: []string{"0.00", "0.00"}},
		{name: "uneven", total: "99.99", prices: []string{"10.00", "20.00", "30.00", "40.00"}, want: []string{"10.00", "20.00", "30.00", "39.99"}},
		{name: "zero prices give everything to the last", total: "5.00", prices: []string{"0", "0"}, want: []string{"0.00", "5.00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prices := make([]decimal.Decimal, len(tc.prices))
			for i, p := range tc.prices {
				prices[i] = dec(p)
			}
			got := SplitOrderCommission(dec(tc.total), prices)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d shares %v, want %d", len(got), got, len(tc.want))
			}
			sum := decimal.Zero
			for i := range got {
				decEq(t, "share "+string(rune('0'+i)), got[i], dec(tc.want[i]))
				sum = sum.Add(got[i])
			}
			decEq(t, "sum of shares", sum, dec(tc.total))
		})
	}
	t.Run("no prices", func(t *testing.T) {
		if got := SplitOrderCommission(dec("10.00"), nil); len(got) != 0 {
			t.Errorf("got %v, want no shares", got)
		}
	})
}

// TestSplitOrderCommissionProperties: over random prices and totals the shares
// sum exactly to the total, have at most 2 decimals, and every share but the
// last is within half a kopeck of the exact proportion.
func TestSplitOrderCommissionProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	half := dec("0.005")
	for iter := 0; iter < 2000; iter++ {
		n := 1 + r.IntN(5)
		prices := make([]decimal.Decimal, n)
		sum := decimal.Zero
		for i := range prices {
			prices[i] = decimal.New(1+r.Int64N(10_000_000), -2)
			sum = sum.Add(prices[i])
		}
		total := decimal.New(r.Int64N(sum.Shift(2).IntPart()+1), -2)
		got := SplitOrderCommission(total, prices)
		given := decimal.Zero
		for i, s := range got {
			given = given.Add(s)
			if s.IsNegative() {
				t.Fatalf("total %s prices %v: share %d = %s is negative", total, prices, i, s)
			}
			if !s.Equal(s.Round(2)) {
				t.Fatalf("total %s prices %v: share %d = %s has more than 2 decimals", total, prices, i, s)
			}
			if i < n-1 {
				exact := total.Mul(prices[i]).Div(sum)
				if s.Sub(exact).Abs().GreaterThan(half) {
					t.Fatalf("total %s prices %v: share %d = %s, exact %s", total, prices, i, s, exact)
				}
			}
		}
		if !given.Equal(total) {
			t.Fatalf("total %s prices %v: shares %v sum to %s", total, prices, got, given)
		}
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in       string
		want     string
		wantCode ErrorCode
	}{
		{in: "10", want: "10"},
		{in: "10.5", want: "10.5"},
		{in: "10.00", want: "10"},
		{in: "0.00", want: "0"},
		{in: "0", want: "0"},
		{in: "0.01", want: "0.01"},
		{in: "100000.99", want: "100000.99"},
		{in: "", wantCode: EValidation},
		{in: " 10", wantCode: EValidation},
		{in: "10 ", wantCode: EValidation},
		{in: "1e3", wantCode: EValidation},
		{in: "1E3", wantCode: EValidation},
		{in: "+5", wantCode: EValidation},
		{in: "-1.00", wantCode: EValidation},
		{in: "10.001", wantCode: EValidation},
		{in: "abc", wantCode: EValidation},
		{in: "10,00", wantCode: EValidation},
		{in: "   ", wantCode: EValidation},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseAmount("price", tc.in)
			wantCode(t, err, tc.wantCode)
			if tc.wantCode != "" {
				if !strings.Contains(err.Error(), "price") {
					t.Errorf("message %q does not name the field", err)
				}
				return
			}
			decEq(t, "amount", got, dec(tc.want))
		})
	}
}

func TestMoney(t *testing.T) {
	tests := []struct {
		in   decimal.Decimal
		want string
	}{
		{dec("0"), "0.00"},
		{dec("10"), "10.00"},
		{dec("10.5"), "10.50"},
		{dec("1000.25"), "1000.25"},
		{dec("0.005"), "0.01"},
		{decimal.Zero, "0.00"},
		{dec("-3.1"), "-3.10"},
	}
	for _, tc := range tests {
		if got := Money(tc.in); got != tc.want {
			t.Errorf("Money(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBalancesOf(t *testing.T) {
	tests := []struct {
		name                string
		postings            []Posting
		nominal, comm, sett string
	}{
		{name: "no postings", nominal: "0", comm: "0", sett: "0"},
		{name: "payment", postings: []Posting{{Debit: AccountBuyer, Credit: AccountNominal, Amount: dec("1500.00")}}, nominal: "1500.00", comm: "0", sett: "0"},
		{name: "full lifecycle", postings: []Posting{
			{Debit: AccountBuyer, Credit: AccountNominal, Amount: dec("1500.00")},
			{Debit: AccountNominal, Credit: AccountRecipient, Amount: dec("900.00")},
			{Debit: AccountNominal, Credit: AccountBank, Amount: dec("5.00")},
			{Debit: AccountNominal, Credit: AccountBuyer, Amount: dec("500.00")},
			{Debit: AccountNominal, Credit: AccountBank, Amount: dec("20.00")},
			{Debit: AccountNominal, Credit: AccountCommission, Amount: dec("75.00")},
		}, nominal: "0", comm: "75.00", sett: "0"},
		{name: "settled", postings: []Posting{
			{Debit: AccountBuyer, Credit: AccountNominal, Amount: dec("100.00")},
			{Debit: AccountNominal, Credit: AccountCommission, Amount: dec("7.50")},
			{Debit: AccountCommission, Credit: AccountSettlement, Amount: dec("7.50")},
		}, nominal: "92.50", comm: "0", sett: "7.50"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := BalancesOf(tc.postings)
			decEq(t, "Nominal", b.Nominal, dec(tc.nominal))
			decEq(t, "Commission", b.Commission, dec(tc.comm))
			decEq(t, "Settlement", b.Settlement, dec(tc.sett))
		})
	}
}
