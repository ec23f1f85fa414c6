package yookassa

import (
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		value, currency string
		want            string // canonical value; "" = error
		param           string // the error's parameter
	}{
		{"2.00", "RUB", "2", ""},
		{"2", "RUB", "2", ""},
		{"0.01", "USD", "0.01", ""},
		{"100.5", "EUR", "100.5", ""},
		{"1000000.99", "RUB", "1000000.99", ""},
		{"2.000", "RUB", "2", ""}, // trailing zeros are still 2 decimals
		{"", "RUB", "", "amount.value"},
		{"0", "RUB", "", "amount.value"},
		{"0.00", "RUB", "", "amount.value"},
		{"-1.00", "RUB", "", "amount.value"},
		{"1.001", "RUB", "", "amount.value"},
		{"1e2", "RUB", "", "amount.value"},
		{"+1", "RUB", "", "amount.value"},
		{" 1", "RUB", "", "amount.value"},
		{"1 ", "RUB", "", "amount.value"},
		{"abc", "RUB", "", "amount.value"},
		{"1,00", "RUB", "", "amount.value"},
		{"1.00", "rub", "", "amount.currency"},
		{"1.00", "GBP", "", "amount.currency"},
		{"1.00", "", "", "amount.currency"},
	} {
		a, err := ParseAmount("amount", c.value, c.currency)
		if c.want == "" {
			if err == nil {
				t.Errorf("ParseAmount(%q, %q) = %v, want an error", c.value, c.currency, a)
				continue
			}
			if CodeOf(err) != EInvalidRequest || ParameterOf(err) != c.param {
				t.Errorf("ParseAmount(%q, %q): %v, want invalid_request on %s", c.value, c.currency, err, c.param)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseAmount(%q, %q): %v", c.value, c.currency, err)
			continue
		}
		if !a.Value.Equal(dec(c.want)) || a.Currency != c.currency {
			t.Errorf("ParseAmount(%q, %q) = %v, want %s %s", c.value, c.currency, a, c.want, c.currency)
		}
	}
}

func TestAmountWireFormat(t *testing.T) {
	for in, want := range map[string]string{"2": "2.00", "2.5": "2.50", "0.01": "0.01", "1000": "1000.00"} {
		if got := FormatValue(dec(in)); got != want {
			t.Errorf("FormatValue(%s) = %q, want %q", in, got, want)
		}
	}
	if got := rub("2").String(); got != "2.00 RUB" {
		t.Errorf("Amount.String() = %q", got)
	}
}

// TestIncomeAmount checks amount − 3.5% fee, the fee rounded half up to
// kopecks.
func TestIncomeAmount(t *testing.T) {
	for _, c := range []struct{ amount, fee, income string }{
		{"10.00", "0.35", "9.65"},
		{"100.00", "3.50", "96.50"},
		{"1.00", "0.04", "0.96"}, // 0.035 → 0.04
		{"3.00", "0.11", "2.89"}, // 0.105 → 0.11: half up, not half even
		{"0.10", "0.00", "0.10"}, // 0.0035 → 0.00
		{"0.01", "0.00", "0.01"},
		{"100.10", "3.50", "96.60"},     // 3.5035 → 3.50
		{"1234.56", "43.21", "1191.35"}, // 43.2096 → 43.21
	} {
		decEq(t, "Fee("+c.amount+")", Fee(dec(c.amount), DefaultFeeRate), dec(c.fee))
		got := IncomeOf(rub(c.amount), DefaultFeeRate)
		decEq(t, "IncomeOf("+c.amount+")", got.Value, dec(c.income))
		if got.Currency != CurrencyRUB {
			t.Errorf("IncomeOf currency %q", got.Currency)
		}
	}
	decEq(t, "zero rate", IncomeOf(rub("10.00"), dec("0")).Value, dec("10.00"))
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		p, r := NewPaymentID(), NewRefundID()
		if len(p) != 36 || len(r) != 36 {
			t.Fatalf("ids %q %q are not 36 characters", p, r)
		}
		if !IsPaymentID(p) || IsRefundID(p) || !strings.Contains(p, "-000f-5000-") {
			t.Fatalf("payment id %q has the wrong shape", p)
		}
		if !IsRefundID(r) || IsPaymentID(r) || !strings.Contains(r, "-0015-5000-") {
			t.Fatalf("refund id %q has the wrong shape", r)
		}
		if seen[p] || seen[r] {
			t.Fatalf("duplicate id after %d", i)
		}
		seen[p], seen[r] = true, true
	}
}

func TestErrorStatuses(t *testing.T) {
	for code, status := range map[ErrorCode]int{
		EInvalidRequest: 400, EInvalidCredentials: 401, EForbidden: 403, ENotFound: 404,
		ETooManyRequests: 429, EInternal: 500, EInvalidState: 409, EConflict: 409, "other": 500,
	} {
		if got := code.HTTPStatus(); got != status {
			t.Errorf("%s.HTTPStatus() = %d, want %d", code, got, status)
		}
	}
	plain := errorString("disk on fire")
	if CodeOf(plain) != EInternal || StatusOf(plain) != 500 || strings.Contains(DescriptionOf(plain), "disk") || ParameterOf(plain) != "" {
		t.Errorf("a non-domain error leaks: %s %q", CodeOf(plain), DescriptionOf(plain))
	}
	e := ParamErrorf(EInvalidRequest, "amount.value", "bad %d", 1)
	if StatusOf(e) != 400 || DescriptionOf(e) != "bad 1" || ParameterOf(e) != "amount.value" ||
		e.Error() != "invalid_request: bad 1 (parameter amount.value)" {
		t.Errorf("ParamErrorf: %v", e)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
