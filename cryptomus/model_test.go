package cryptomus

import (
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestIsFinal(t *testing.T) {
	final := map[Status]bool{
		StatusCheck: false, StatusProcess: false, StatusConfirmCheck: false, StatusWrongAmountWaiting: false,
		StatusPaid: true, StatusPaidOver: true, StatusWrongAmount: true, StatusCancel: true, StatusFail: true,
		StatusSystemFail: true, StatusLocked: true, StatusRefundProcess: false, StatusRefundFail: true, StatusRefundPaid: true,
	}
	if len(final) != len(Statuses) {
		t.Fatalf("the table covers %d statuses, there are %d", len(final), len(Statuses))
	}
	for _, s := range Statuses {
		if s.IsFinal() != final[s] {
			t.Errorf("%s.IsFinal() = %v, want %v", s, s.IsFinal(), final[s])
		}
	}
}

func TestParseStatus(t *testing.T) {
	for _, s := range Statuses {
		if got, ok := ParseStatus(string(s)); !ok || got != s {
			t.Errorf("ParseStatus(%q) = %q, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "PAID", "paid ", "refund", "expired"} {
		if _, ok := ParseStatus(s); ok {
			t.Errorf("ParseStatus(%q) accepted", s)
		}
	}
}

// legal is the transition table of the brief, written out independently of
// the implementation's.
var legal = map[Status][]Status{
	StatusCheck: {StatusProcess, StatusConfirmCheck, StatusPaid, StatusPaidOver, StatusWrongAmount,
		StatusWrongAmountWaiting, StatusCancel, StatusFail, StatusSystemFail, StatusLocked},
	StatusProcess:            {StatusPaid, StatusPaidOver, StatusWrongAmount, StatusWrongAmountWaiting, StatusFail, StatusSystemFail, StatusLocked},
	StatusConfirmCheck:       {StatusPaid, StatusPaidOver, StatusWrongAmount, StatusWrongAmountWaiting, StatusFail, StatusSystemFail, StatusLocked},
	StatusWrongAmountWaiting: {StatusPaid, StatusPaidOver, StatusWrongAmount, StatusCancel},
	StatusRefundProcess:      {StatusRefundPaid, StatusRefundFail},
}

// paymentFor is a payment amount that fits status to for an invoice of 100
// with accuracy 2% (threshold 98).
func paymentFor(to Status) *decimal.Decimal {
	switch to {
	case StatusPaid:
		return decp("99")
	case StatusPaidOver:
		return decp("120")
	case StatusWrongAmount, StatusWrongAmountWaiting:
		return decp("50")
	}
	return nil
}

// invoiceIn builds an invoice of 100 USDT (accuracy 2%) in status from, as
// the real path would have left it.
func invoiceIn(t *testing.T, from Status, m *Merchant) *Invoice {
	t.Helper()
	inv := newTestInvoice("100", "USDT", "2")
	now := t0.Add(time.Minute)
	switch from {
	case StatusCheck:
	case StatusRefundProcess, StatusRefundPaid, StatusRefundFail:
		if err := inv.SetStatus(m, StatusPaid, decp("100"), "", now); err != nil {
			t.Fatal(err)
		}
		if err := inv.ApplyRefund(m, RefundRequest{Address: "T1", IsSubtract: true, UUID: inv.UUID}, now); err != nil {
			t.Fatal(err)
		}
		if from != StatusRefundProcess {
			if err := inv.SetStatus(m, from, nil, "", now); err != nil {
				t.Fatal(err)
			}
		}
	default:
		if err := inv.SetStatus(m, from, paymentFor(from), "", now); err != nil {
			t.Fatalf("reaching %s: %v", from, err)
		}
	}
	if inv.Status != from {
		t.Fatalf("set up %s, got %s", from, inv.Status)
	}
	return inv
}

// TestTransitionTable tries every status → status change.
func TestTransitionTable(t *testing.T) {
	for _, from := range Statuses {
		for _, to := range Statuses {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				m := testMerchant("USDT")
				inv := invoiceIn(t, from, m)
				if got, want := CanTransition(from, to), slices.Contains(legal[from], to); got != want {
					t.Fatalf("CanTransition = %v, want %v", got, want)
				}
				before := *inv
				err := inv.SetStatus(m, to, paymentFor(to), "", t0.Add(2*time.Minute))
				if !slices.Contains(legal[from], to) {
					e := wantCode(t, err, EInvalidState)
					if !containsAll(e.Message, string(from), string(to)) {
						t.Fatalf("message %q must name %s and %s", e.Message, from, to)
					}
					if inv.Status != before.Status || inv.Version != before.Version || !inv.UpdatedAt.Equal(before.UpdatedAt) {
						t.Fatalf("a refused change changed the invoice")
					}
					return
				}
				wantCode(t, err, "")
				if inv.Status != to || !inv.UpdatedAt.Equal(t0.Add(2*time.Minute)) {
					t.Fatalf("status %s updated %v", inv.Status, inv.UpdatedAt)
				}
			})
		}
	}
	for from, tos := range legal {
		if got := NextStatuses(from); !slices.Equal(got, tos) {
			t.Errorf("NextStatuses(%s) = %v, want %v", from, got, tos)
		}
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !slices.Contains(splitWords(s), p) {
			return false
		}
	}
	return true
}

func splitWords(s string) []string {
	var out []string
	word := []rune{}
	for _, r := range s {
		if r == ' ' || r == ',' || r == ':' {
			if len(word) > 0 {
				out = append(out, string(word))
			}
			word = word[:0]
			continue
		}
		word = append(word, r)
	}
	if len(word) > 0 {
		out = append(out, string(word))
	}
	return out
}

func TestSetStatusUnknown(t *testing.T) {
	inv := newTestInvoice("100", "USDT", "0")
	wantCode(t, inv.SetStatus(testMerchant("USDT"), "expired", nil, "", t0), EValidation)
}

// TestPaymentAmounts checks the amount each payment status accepts, for an
// invoice of 100 with accuracy 2% (paid from 98 to 100).
func TestPaymentAmounts(t *testing.T) {
	cases := []struct {
		to   Status
		pay  *decimal.Decimal
		code ErrorCode
		want string // recorded PaymentAmount
	}{
		{StatusPaid, nil, "", "100"},
		{StatusPaid, decp("100"), "", "100"},
		{StatusPaid, decp("98"), "", "98"},
		{StatusPaid, decp("99.99999999"), "", "99.99999999"},
		{StatusPaid, decp("97.99999999"), EValidation, ""},
		{StatusPaid, decp("100.00000001"), EValidation, ""},
		{StatusPaid, decp("0"), EValidation, ""},
		{StatusPaid, decp("-1"), EValidation, ""},
		{StatusPaidOver, nil, EValidation, ""},
		{StatusPaidOver, decp("100"), EValidation, ""},
		{StatusPaidOver, decp("100.00000001"), "", "100.00000001"},
		{StatusWrongAmount, nil, EValidation, ""},
		{StatusWrongAmount, decp("98"), EValidation, ""},
		{StatusWrongAmount, decp("97.99999999"), "", "97.99999999"},
		{StatusWrongAmount, decp("0"), EValidation, ""},
		{StatusWrongAmountWaiting, nil, EValidation, ""},
		{StatusWrongAmountWaiting, decp("0.00000001"), "", "0.00000001"},
		{StatusWrongAmountWaiting, decp("100"), EValidation, ""},
		{StatusCancel, decp("1"), EValidation, ""},
		{StatusFail, decp("1"), EValidation, ""},
		{StatusProcess, decp("1"), EValidation, ""},
	}
	for _, c := range cases {
		name := string(c.to) + " nil"
		if c.pay != nil {
			name = string(c.to) + " " + c.pay.String()
		}
		t.Run(name, func(t *testing.T) {
			m := testMerchant("USDT")
			inv := newTestInvoice("100", "USDT", "2")
			err := inv.SetStatus(m, c.to, c.pay, "", t0)
			wantCode(t, err, c.code)
			if c.code != "" {
				if inv.Status != StatusCheck || inv.PaymentAmount != nil || !m.Wallet("USDT").Balance.IsZero() {
					t.Fatalf("a refused payment changed the invoice or the wallet")
				}
				return
			}
			if inv.PaymentAmount == nil || FormatAmount(*inv.PaymentAmount) != c.want {
				t.Fatalf("PaymentAmount = %v, want %s", inv.PaymentAmount, c.want)
			}
		})
	}
}

func TestAccuracyZeroNeedsTheExactAmount(t *testing.T) {
	m := testMerchant("BTC")
	inv := newTestInvoice("0.12345678", "BTC", "0")
	wantCode(t, inv.SetStatus(m, StatusPaid, decp("0.12345677"), "", t0), EValidation)
	wantCode(t, inv.SetStatus(m, StatusWrongAmount, decp("0.12345677"), "", t0), "")
	decEq(t, "BTC balance", m.Wallet("BTC").Balance, dec("0.12345677"))
}

func TestPaymentEffects(t *testing.T) {
	cases := []struct {
		to           Status
		pay          *decimal.Decimal
		wallets      []string
		wantBalance  string // USDT balance after, "" = no wallet
		wantMerchant bool   // MerchantAmount set
	}{
		{StatusPaid, nil, []string{"USDT"}, "100", true},
		{StatusPaidOver, decp("150.5"), []string{"USDT"}, "150.5", true},
		{StatusWrongAmount, decp("10.12345678"), []string{"USDT"}, "10.12345678", true},
		{StatusWrongAmountWaiting, decp("10"), []string{"USDT"}, "0", false},
		{StatusPaid, nil, []string{"BTC"}, "", true}, // no USDT wallet: nothing credited
		{StatusProcess, nil, []string{"USDT"}, "0", false},
		{StatusCancel, nil, []string{"USDT"}, "0", false},
	}
	for _, c := range cases {
		t.Run(string(c.to), func(t *testing.T) {
			m, err := BuildMerchant(NewMerchant{UUID: merchantA, PaymentKey: keyA, Wallets: c.wallets}, t0)
			if err != nil {
				t.Fatal(err)
			}
			inv := newTestInvoice("100", "USDT", "0")
			if err := inv.SetStatus(m, c.to, c.pay, "", t0.Add(time.Second)); err != nil {
				t.Fatal(err)
			}
			w := m.Wallet("USDT")
			switch {
			case c.wantBalance == "" && w != nil:
				t.Fatalf("a USDT wallet appeared")
			case c.wantBalance != "":
				decEq(t, "USDT balance", w.Balance, dec(c.wantBalance))
			}
			if other := m.Wallet("BTC"); other != nil && !other.Balance.IsZero() {
				t.Fatalf("the BTC wallet was credited")
			}
			if (inv.MerchantAmount != nil) != c.wantMerchant {
				t.Fatalf("MerchantAmount = %v, want set=%v", inv.MerchantAmount, c.wantMerchant)
			}
			if c.wantMerchant {
				decEq(t, "MerchantAmount", *inv.MerchantAmount, *inv.PaymentAmount)
			}
			if inv.PaymentAmount != nil && inv.PayerCurrency != "USDT" {
				t.Fatalf("PayerCurrency = %q", inv.PayerCurrency)
			}
			paying := c.to != StatusCancel
			if paying != (inv.TxID != "") || paying != (inv.From != "") {
				t.Fatalf("TxID %q From %q after %s", inv.TxID, inv.From, c.to)
			}
		})
	}
}

func TestSetStatusTxID(t *testing.T) {
	m := testMerchant("USDT")
	inv := newTestInvoice("100", "USDT", "0")
	if err := inv.SetStatus(m, StatusProcess, nil, "", t0); err != nil {
		t.Fatal(err)
	}
	generated := inv.TxID
	if len(generated) != 64 {
		t.Fatalf("generated txid %q", generated)
	}
	if err := inv.SetStatus(m, StatusPaid, nil, "abc123", t0); err != nil {
		t.Fatal(err)
	}
	if inv.TxID != "abc123" {
		t.Fatalf("TxID = %q, want the given one", inv.TxID)
	}
}

func TestWrongAmountWaitingThenPaid(t *testing.T) {
	m := testMerchant("USDT")
	inv := newTestInvoice("100", "USDT", "0")
	if err := inv.SetStatus(m, StatusWrongAmountWaiting, decp("40"), "", t0); err != nil {
		t.Fatal(err)
	}
	decEq(t, "balance while waiting", m.Wallet("USDT").Balance, decimal.Zero)
	// the total paid cannot shrink
	wantCode(t, inv.SetStatus(m, StatusWrongAmount, decp("30"), "", t0), EValidation)
	if err := inv.SetStatus(m, StatusPaid, nil, "", t0); err != nil {
		t.Fatal(err)
	}
	decEq(t, "balance once paid", m.Wallet("USDT").Balance, dec("100"))
	decEq(t, "PaymentAmount", *inv.PaymentAmount, dec("100"))
}

func TestLazyExpiry(t *testing.T) {
	inv := newTestInvoice("100", "USDT", "0") // lifetime 3600 from t0
	if !inv.ExpiredAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("ExpiredAt = %v", inv.ExpiredAt)
	}
	if inv.Observe(t0.Add(time.Hour - time.Nanosecond)) {
		t.Fatalf("expired before ExpiredAt")
	}
	if inv.Status != StatusCheck {
		t.Fatalf("status %s", inv.Status)
	}
	if !inv.Observe(t0.Add(time.Hour)) || inv.Status != StatusCancel || !inv.UpdatedAt.Equal(inv.ExpiredAt) {
		t.Fatalf("at ExpiredAt: status %s updated %v", inv.Status, inv.UpdatedAt)
	}
	if inv.Observe(t0.Add(2 * time.Hour)) {
		t.Fatalf("a second Observe changed it again")
	}

	// every non-check status is left alone by time
	for _, s := range Statuses {
		if s == StatusCheck {
			continue
		}
		x := newTestInvoice("100", "USDT", "0")
		x.Status = s
		if x.Observe(t0.Add(24*time.Hour)) || x.Status != s {
			t.Errorf("%s changed with time to %s", s, x.Status)
		}
	}

	// a transition sees the expiry first
	m := testMerchant("USDT")
	late := newTestInvoice("100", "USDT", "0")
	err := late.SetStatus(m, StatusPaid, nil, "", t0.Add(2*time.Hour))
	e := wantCode(t, err, EInvalidState)
	if !containsAll(e.Message, "cancel", "paid") {
		t.Fatalf("message %q", e.Message)
	}
	if !m.Wallet("USDT").Balance.IsZero() {
		t.Fatalf("an expired invoice was paid")
	}
	// … and so does a refund
	late2 := newTestInvoice("100", "USDT", "0")
	wantBusiness(t, late2.ApplyRefund(m, RefundRequest{Address: "T"}, t0.Add(2*time.Hour)), MsgRefundNotCompleted)

	// custom lifetime
	req := invoiceReq("o-2", "1", "USDT")
	req.Lifetime = 300
	short := NewInvoice(merchantA, req, t0)
	if !short.ExpiredAt.Equal(t0.Add(5 * time.Minute)) {
		t.Fatalf("ExpiredAt = %v", short.ExpiredAt)
	}
}

func TestNewInvoice(t *testing.T) {
	req := invoiceReq("o-1", "10.00", "USDT")
	req.Network = "tron"
	req.Lifetime = 0 // not set: the default
	a := NewInvoice(merchantA, req, t0)
	b := NewInvoice(merchantA, req, t0)
	if a.UUID == b.UUID || !IsUUID(a.UUID) {
		t.Fatalf("uuids %s %s", a.UUID, b.UUID)
	}
	if a.Status != StatusCheck || a.Lifetime != DefaultLifetime || a.PaymentAmount != nil || a.Refund != nil ||
		!a.RefundedAmount.IsZero() || a.Version != 0 || !a.CreatedAt.Equal(t0) || !a.UpdatedAt.Equal(t0) {
		t.Fatalf("new invoice %+v", a)
	}
	if FormatAmount(a.Amount) != "10.00" {
		t.Fatalf("amount %s", FormatAmount(a.Amount))
	}
	if a.Address != DepositAddress(a.UUID, "USDT", "tron") || a.Address[0] != 'T' {
		t.Fatalf("address %q", a.Address)
	}
}

// TestRefundArithmetic checks the money of a refund, exactly, for both
// is_subtract values.
func TestRefundArithmetic(t *testing.T) {
	cases := []struct {
		name                            string
		amount, currency                string
		subtract                        bool
		fee, payerReceives, walletAfter string
	}{
		// 1% of 100 = 1: the wallet had 100 (the payment)
		{"100 USDT, fee from the balance", "100", "USDT", true, "1", "100", "-1"},
		{"100 USDT, fee from the refund", "100", "USDT", false, "1", "99", "0"},
		// 8 decimals: 1% of 0.12345678 = 0.0012345678 → 0.00123457 (half up)
		{"0.12345678 BTC, subtract", "0.12345678", "BTC", true, "0.00123457", "0.12345678", "-0.00123457"},
		{"0.12345678 BTC, not subtract", "0.12345678", "BTC", false, "0.00123457", "0.12222221", "0"},
		// 1% of 0.00000150 = 0.000000015 → 0.00000002 (half up at the 8th decimal)
		{"half up at the 8th decimal", "0.0000015", "BTC", false, "0.00000002", "0.00000148", "0"},
		// 1% of 0.00000149 = 0.0000000149 → 0.00000001
		{"down at the 8th decimal", "0.00000149", "BTC", true, "0.00000001", "0.00000149", "-0.00000001"},
		{"10.28 USDT not subtract", "10.28", "USDT", false, "0.1028", "10.1772", "0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := testMerchant(c.currency)
			inv := newTestInvoice(c.amount, c.currency, "0")
			if err := inv.SetStatus(m, StatusPaid, nil, "", t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			decEq(t, "balance after payment", m.Wallet(c.currency).Balance, dec(c.amount))
			at := t0.Add(2 * time.Minute)
			if err := inv.ApplyRefund(m, RefundRequest{Address: "addr-1", IsSubtract: c.subtract}, at); err != nil {
				t.Fatal(err)
			}
			r := inv.Refund
			if r == nil {
				t.Fatal("no refund recorded")
			}
			decEq(t, "refund amount", r.Amount, dec(c.amount))
			decEq(t, "fee", r.Fee, dec(c.fee))
			decEq(t, "payer receives", r.PayerReceives, dec(c.payerReceives))
			decEq(t, "wallet", m.Wallet(c.currency).Balance, dec(c.walletAfter))
			decEq(t, "refunded", inv.RefundedAmount, dec(c.amount))
			if r.Address != "addr-1" || r.IsSubtract != c.subtract || !r.At.Equal(at) ||
				inv.Status != StatusRefundProcess || !inv.UpdatedAt.Equal(at) {
				t.Fatalf("refund %+v status %s", r, inv.Status)
			}
			// the money balances: the wallet paid what the payer got plus the fee
			decEq(t, "payer + fee = wallet debit", r.PayerReceives.Add(r.Fee), r.WalletDebit())
		})
	}
}

func TestRefundFeeRateIsASetting(t *testing.T) {
	old := RefundFeeRate
	t.Cleanup(func() { RefundFeeRate = old })
	decEq(t, "default rate", RefundFeeRate, dec("0.01"))
	RefundFeeRate = dec("0.025")
	decEq(t, "fee at 2.5%", RefundFee(dec("10")), dec("0.25"))
}

// TestRefundErrors produces each refund refusal by the situation it names.
func TestRefundErrors(t *testing.T) {
	paid := func(m *Merchant, inv *Invoice) {
		if err := inv.SetStatus(m, StatusPaid, nil, "", t0); err != nil {
			panic(err)
		}
	}
	cases := []struct {
		name  string
		setup func(m *Merchant, inv *Invoice)
		msg   string
	}{
		{"payments blocked", func(m *Merchant, inv *Invoice) { paid(m, inv); m.PaymentsBlocked = true }, MsgForbidden},
		{"blocked wins over a missing wallet", func(m *Merchant, inv *Invoice) {
			paid(m, inv)
			m.PaymentsBlocked = true
			m.Wallets = nil
		}, MsgForbidden},
		{"no wallet of the currency", func(m *Merchant, inv *Invoice) { paid(m, inv); _ = m.SetWallets([]string{"BTC"}) }, MsgUndefinedWallet},
		{"wallet missing wins over not paid", func(m *Merchant, inv *Invoice) { _ = m.SetWallets([]string{}) }, MsgUndefinedWallet},
		{"still in check", func(m *Merchant, inv *Invoice) {}, MsgRefundNotCompleted},
		{"process", func(m *Merchant, inv *Invoice) { _ = inv.SetStatus(m, StatusProcess, nil, "", t0) }, MsgRefundNotCompleted},
		{"wrong_amount", func(m *Merchant, inv *Invoice) { _ = inv.SetStatus(m, StatusWrongAmount, decp("1"), "", t0) }, MsgRefundNotCompleted},
		{"cancel", func(m *Merchant, inv *Invoice) { _ = inv.SetStatus(m, StatusCancel, nil, "", t0) }, MsgRefundNotCompleted},
		{"a second refund", func(m *Merchant, inv *Invoice) {
			paid(m, inv)
			_ = inv.ApplyRefund(m, RefundRequest{Address: "a"}, t0)
		}, MsgRefundNotCompleted},
		{"refund_paid", func(m *Merchant, inv *Invoice) {
			paid(m, inv)
			_ = inv.ApplyRefund(m, RefundRequest{Address: "a"}, t0)
			_ = inv.SetStatus(m, StatusRefundPaid, nil, "", t0)
		}, MsgRefundNotCompleted},
		{"paid within the accuracy, less than the amount", func(m *Merchant, inv *Invoice) {
			inv.AccuracyPercent = dec("2")
			_ = inv.SetStatus(m, StatusPaid, decp("99"), "", t0)
		}, MsgRefundMoreThanPaid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := testMerchant("USDT")
			inv := newTestInvoice("100", "USDT", "0")
			c.setup(m, inv)
			status, balance := inv.Status, decimal.Zero
			if w := m.Wallet("USDT"); w != nil {
				balance = w.Balance
			}
			err := inv.ApplyRefund(m, RefundRequest{Address: "T-addr", IsSubtract: true}, t0.Add(time.Minute))
			wantBusiness(t, err, c.msg)
			if inv.Status != status {
				t.Fatalf("status changed to %s", inv.Status)
			}
			if w := m.Wallet("USDT"); w != nil && !w.Balance.Equal(balance) {
				t.Fatalf("balance changed to %s", w.Balance)
			}
		})
	}
	// paid_over is refundable: the invoice amount goes back
	m := testMerchant("USDT")
	inv := newTestInvoice("100", "USDT", "0")
	if err := inv.SetStatus(m, StatusPaidOver, decp("130"), "", t0); err != nil {
		t.Fatal(err)
	}
	if err := inv.ApplyRefund(m, RefundRequest{Address: "a"}, t0); err != nil {
		t.Fatalf("refund of paid_over: %v", err)
	}
	decEq(t, "refund of paid_over", inv.Refund.Amount, dec("100"))
	decEq(t, "wallet", m.Wallet("USDT").Balance, dec("30"))
}

func TestRefundOutcome(t *testing.T) {
	for _, subtract := range []bool{true, false} {
		m := testMerchant("USDT")
		inv := invoiceIn(t, StatusCheck, m)
		if err := inv.SetStatus(m, StatusPaid, nil, "", t0); err != nil {
			t.Fatal(err)
		}
		if err := inv.ApplyRefund(m, RefundRequest{Address: "a", IsSubtract: subtract}, t0); err != nil {
			t.Fatal(err)
		}
		afterRefund := m.Wallet("USDT").Balance
		paidOut := *inv.Refund
		if err := inv.SetStatus(m, StatusRefundPaid, nil, "", t0); err != nil {
			t.Fatal(err)
		}
		decEq(t, "refund_paid leaves the wallet", m.Wallet("USDT").Balance, afterRefund)

		m2 := testMerchant("USDT")
		inv2 := invoiceIn(t, StatusCheck, m2)
		_ = inv2.SetStatus(m2, StatusPaid, nil, "", t0)
		_ = inv2.ApplyRefund(m2, RefundRequest{Address: "a", IsSubtract: subtract}, t0)
		if err := inv2.SetStatus(m2, StatusRefundFail, nil, "", t0); err != nil {
			t.Fatal(err)
		}
		decEq(t, "refund_fail gives the debit back", m2.Wallet("USDT").Balance, dec("100"))
		decEq(t, "refund_fail: nothing refunded", inv2.RefundedAmount, decimal.Zero)
		if inv2.Refund == nil || !inv2.Refund.Fee.Equal(paidOut.Fee) {
			t.Fatalf("the failed refund's record is kept")
		}
	}
}

func TestMerchantWallets(t *testing.T) {
	m := testMerchant("usdt", "BTC", "Usdt")
	if got := len(m.Wallets); got != 2 || m.Wallets[0].Currency != "USDT" || m.Wallets[1].Currency != "BTC" {
		t.Fatalf("wallets %+v", m.Wallets)
	}
	m.Wallet("usdt").Balance = dec("5.5")
	if err := m.SetWallets([]string{"ETH", "USDT"}); err != nil {
		t.Fatal(err)
	}
	if m.Wallet("BTC") != nil || !m.Wallet("ETH").Balance.IsZero() || !m.Wallet("USDT").Balance.Equal(dec("5.5")) ||
		m.Wallets[0].Currency != "ETH" {
		t.Fatalf("wallets %+v", m.Wallets)
	}
	for _, bad := range []string{"", "US DT", "ABCDEFGHIJK", "USDT-TRC20"} {
		before := slices.Clone(m.Wallets)
		wantCode(t, m.SetWallets([]string{"BTC", bad}), EValidation)
		if !slices.Equal(before, m.Wallets) {
			t.Fatalf("a refused wallet list changed the wallets")
		}
	}
	def := testMerchant()
	if got := len(def.Wallets); got != 5 {
		t.Fatalf("default wallets %+v", def.Wallets)
	}
	none, err := BuildMerchant(NewMerchant{Wallets: []string{}}, t0)
	if err != nil || len(none.Wallets) != 0 || !IsUUID(none.UUID) || len(none.PaymentKey) != 64 || none.PayoutKey != "" {
		t.Fatalf("merchant without wallets %+v, %v", none, err)
	}
	if _, err := BuildMerchant(NewMerchant{UUID: "merchant-1"}, t0); CodeOf(err) != EValidation {
		t.Fatalf("a non-UUID merchant uuid: %v", err)
	}
	up, _ := BuildMerchant(NewMerchant{UUID: "8B03432E-385B-4670-8D06-064591096795"}, t0)
	if up.UUID != DefaultMerchantUUID {
		t.Fatalf("uuid not lower-cased: %s", up.UUID)
	}
}

func TestFormatAmount(t *testing.T) {
	for in, want := range map[string]string{
		"10.00": "10.00", "0.12345678": "0.12345678", "1e3": "1000", "1.5e-3": "0.0015",
		"-0.00123457": "-0.00123457", "0": "0", "100": "100",
	} {
		if got := FormatAmount(dec(in)); got != want {
			t.Errorf("FormatAmount(%s) = %s, want %s", in, got, want)
		}
		back, err := ParseAmount(FormatAmount(dec(in)))
		if err != nil || FormatAmount(back) != want {
			t.Errorf("ParseAmount(FormatAmount(%s)) = %v, %v", in, back, err)
		}
	}
	if got := FormatAmount(dec("10.00").Add(dec("0.12345678"))); got != "10.12345678" {
		t.Errorf("sum = %s", got)
	}
	if _, err := ParseAmount("x"); CodeOf(err) != EValidation {
		t.Errorf("ParseAmount(x): %v", err)
	}
}

func TestErrorHelpers(t *testing.T) {
	if CodeOf(nil) != EInternal || MessageOf(errTest{}) != MsgServerError || CodeOf(errTest{}) != EInternal {
		t.Fatal("non-domain errors must read as internal / Server error")
	}
	if MessageOf(Errorf(EInternal, "disk on fire")) != MsgServerError {
		t.Fatal("an internal *Error leaked its text")
	}
	if MessageOf(business(MsgForbidden)) != MsgForbidden {
		t.Fatal("business message lost")
	}
	msgs := []string{MsgInvalidSign, MsgPaymentNotFound, MsgForbidden, MsgUndefinedWallet, MsgRefundNotCompleted, MsgRefundMoreThanPaid, MsgServerError}
	want := []string{"Invalid Sign.", "Payment was not found", "You are forbidden", "Undefined merchant wallet",
		"Refunds are made only for completed payments", "The refund amount should not be more than the amount paid", "Server error"}
	if !slices.Equal(msgs, want) {
		t.Fatalf("messages %q", msgs)
	}
}

type errTest struct{}

func (errTest) Error() string { return "secret detail" }
