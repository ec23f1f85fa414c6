package cryptomus

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestAuthenticate(t *testing.T) {
	ops, _, _ := setupOps(t)
	ctx := context.Background()
	body := []byte(`{"uuid":"` + okUUID + `","address":"T","is_subtract":"true"}`)
	cases := []struct {
		name      string
		merchant  string
		sign      string
		body      []byte
		allowPay  bool
		wantError bool
	}{
		{"payment key", merchantA, Sign(body, keyA), body, false, false},
		{"payment key, upper-case sign", merchantA, strings.ToUpper(Sign(body, keyA)), body, false, false},
		{"merchant header in upper case", strings.ToUpper(merchantA), Sign(body, keyA), body, false, false},
		{"payment key on a refund", merchantA, Sign(body, keyA), body, true, false},
		{"payout key on a refund", merchantA, Sign(body, payoutA), body, true, false},
		{"payout key elsewhere", merchantA, Sign(body, payoutA), body, false, true},
		{"another merchant's key", merchantA, Sign(body, "key-b"), body, true, true},
		{"no payout key: the empty key does not sign", merchantB, Sign(body, ""), body, true, true},
		{"sign of another body", merchantA, Sign([]byte(`{}`), keyA), body, false, true},
		{"unknown merchant", "33333333-3333-4333-8333-333333333333", Sign(body, keyA), body, false, true},
		{"merchant not a uuid", "merchant", Sign(body, keyA), body, false, true},
		{"no merchant header", "", Sign(body, keyA), body, false, true},
		{"no sign", merchantA, "", body, false, true},
		{"empty body signed", merchantA, Sign(nil, keyA), nil, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := ops.Authenticate(ctx, c.merchant, c.sign, c.body, c.allowPay)
			if c.wantError {
				e := wantCode(t, err, EUnauthorized)
				if e.Message != MsgInvalidSign {
					t.Fatalf("message %q", e.Message)
				}
				return
			}
			wantCode(t, err, "")
			if m.UUID != merchantA {
				t.Fatalf("merchant %s", m.UUID)
			}
		})
	}
}

func TestEnsureDefaults(t *testing.T) {
	st := newMemStore()
	ops := &Operations{Store: st, Now: func() time.Time { return t0 }}
	ctx := context.Background()
	if err := ops.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := ops.Merchant(ctx, DefaultMerchantUUID)
	if err != nil {
		t.Fatal(err)
	}
	if m.PaymentKey != "cryptomus-sandbox-key" || m.PayoutKey != "cryptomus-sandbox-payout-key" || m.PaymentsBlocked {
		t.Fatalf("default merchant %+v", m)
	}
	var cur []string
	for _, w := range m.Wallets {
		cur = append(cur, w.Currency)
		if !w.Balance.IsZero() {
			t.Fatalf("wallet %s starts at %s", w.Currency, w.Balance)
		}
	}
	if strings.Join(cur, ",") != "USDT,BTC,ETH,TRX,USD" {
		t.Fatalf("wallets %v", cur)
	}
	// a second call keeps the merchant as it is
	if _, err := st.UpdateMerchant(ctx, DefaultMerchantUUID, func(m *Merchant) error {
		m.Wallet("USDT").Balance = dec("7")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := ops.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	m, _ = ops.Merchant(ctx, DefaultMerchantUUID)
	decEq(t, "kept balance", m.Wallet("USDT").Balance, dec("7"))
	// the default merchant signs with its documented key
	body := []byte(`{"order_id":"x"}`)
	if _, err := ops.Authenticate(ctx, DefaultMerchantUUID, Sign(body, DefaultPaymentKey), body, false); err != nil {
		t.Fatal(err)
	}
}

func TestCreateInvoiceAndDedupe(t *testing.T) {
	ops, st, clk := setupOps(t)
	ctx := context.Background()
	mA, _ := ops.Merchant(ctx, merchantA)
	mB, _ := ops.Merchant(ctx, merchantB)

	req := invoiceReq("order-7", "0.12345678", "BTC")
	req.Network = "btc"
	inv, existed, err := ops.CreateInvoice(ctx, mA, req)
	if err != nil || existed {
		t.Fatalf("create: %v existed=%v", err, existed)
	}
	if inv.Status != StatusCheck || inv.MerchantUUID != merchantA || FormatAmount(inv.Amount) != "0.12345678" ||
		!strings.HasPrefix(inv.Address, "bc1q") || !inv.ExpiredAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("invoice %+v", inv)
	}
	if got := ops.PaymentURL(inv.UUID); got != "http://sandbox.test/sandbox/v1/cryptomus/pay/"+inv.UUID {
		t.Fatalf("PaymentURL = %s", got)
	}

	// the same order_id again, with other data: the first invoice, unchanged
	clk.Advance(time.Minute)
	again, existed, err := ops.CreateInvoice(ctx, mA, invoiceReq("order-7", "999", "USDT"))
	if err != nil || !existed || again.UUID != inv.UUID || FormatAmount(again.Amount) != "0.12345678" || again.Currency != "BTC" {
		t.Fatalf("dedupe: %+v existed=%v err=%v", again, existed, err)
	}
	// another merchant may use the same order_id
	other, existed, err := ops.CreateInvoice(ctx, mB, invoiceReq("order-7", "1", "USDT"))
	if err != nil || existed || other.UUID == inv.UUID {
		t.Fatalf("other merchant: %+v existed=%v err=%v", other, existed, err)
	}
	if n := len(st.invoices); n != 2 {
		t.Fatalf("%d invoices stored, want 2", n)
	}

	// an expired invoice comes back as cancel
	clk.Advance(2 * time.Hour)
	expired, existed, err := ops.CreateInvoice(ctx, mA, invoiceReq("order-7", "1", "BTC"))
	if err != nil || !existed || expired.Status != StatusCancel {
		t.Fatalf("expired dedupe: %+v %v %v", expired, existed, err)
	}

	// a merchant whose payments are blocked cannot create invoices
	blocked := true
	mA, _ = ops.UpdateMerchant(ctx, merchantA, &blocked, nil)
	_, _, err = ops.CreateInvoice(ctx, mA, invoiceReq("order-8", "1", "BTC"))
	wantBusiness(t, err, MsgForbidden)
}

// countingStore counts the store calls of an invoice create.
type countingStore struct {
	*memStore
	creates, lookups int
}

func (c *countingStore) CreateInvoice(ctx context.Context, inv *Invoice) error {
	c.creates++
	return c.memStore.CreateInvoice(ctx, inv)
}

func (c *countingStore) InvoiceByOrderID(ctx context.Context, merchantUUID, orderID string) (*Invoice, error) {
	c.lookups++
	return c.memStore.InvoiceByOrderID(ctx, merchantUUID, orderID)
}

// A new order_id costs one write and no read; a used one (the same request
// again, or the loser of two racing creates) is refused by the store and
// answered with the invoice that holds it.
func TestCreateInvoiceWritesFirst(t *testing.T) {
	ops, st, _ := setupOps(t)
	ctx := context.Background()
	m, _ := ops.Merchant(ctx, merchantA)
	counted := &countingStore{memStore: st}
	ops.Store = counted
	first, existed, err := ops.CreateInvoice(ctx, m, invoiceReq("o-race", "5", "USDT"))
	if err != nil || existed {
		t.Fatalf("first create: existed=%v err=%v", existed, err)
	}
	if counted.creates != 1 || counted.lookups != 0 {
		t.Fatalf("first create: %d creates and %d lookups, want 1 and 0", counted.creates, counted.lookups)
	}
	got, existed, err := ops.CreateInvoice(ctx, m, invoiceReq("o-race", "6", "USDT"))
	if err != nil || !existed || got.UUID != first.UUID || !got.Amount.Equal(first.Amount) {
		t.Fatalf("got %+v existed=%v err=%v", got, existed, err)
	}
	if counted.creates != 2 || counted.lookups != 1 {
		t.Fatalf("second create: %d creates and %d lookups in all, want 2 and 1", counted.creates, counted.lookups)
	}
}

func TestInfo(t *testing.T) {
	ops, st, clk := setupOps(t)
	ctx := context.Background()
	mA, _ := ops.Merchant(ctx, merchantA)
	mB, _ := ops.Merchant(ctx, merchantB)
	x, _, _ := ops.CreateInvoice(ctx, mA, invoiceReq("ox", "1", "USDT"))
	y, _, _ := ops.CreateInvoice(ctx, mA, invoiceReq("oy", "2", "USDT"))

	cases := []struct {
		name string
		m    *Merchant
		req  InfoRequest
		want string // uuid, "" = not found
	}{
		{"by uuid", mA, InfoRequest{UUID: x.UUID}, x.UUID},
		{"by upper-case uuid", mA, InfoRequest{UUID: strings.ToUpper(x.UUID)}, x.UUID},
		{"by order_id", mA, InfoRequest{OrderID: "oy"}, y.UUID},
		{"both: order_id wins", mA, InfoRequest{UUID: x.UUID, OrderID: "oy"}, y.UUID},
		{"both, order_id unknown: not found", mA, InfoRequest{UUID: x.UUID, OrderID: "nope"}, ""},
		{"unknown uuid", mA, InfoRequest{UUID: NewUUID()}, ""},
		{"another merchant's invoice", mB, InfoRequest{UUID: x.UUID}, ""},
		{"another merchant's order_id", mB, InfoRequest{OrderID: "ox"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, err := ops.Info(ctx, c.m, c.req)
			if c.want == "" {
				wantBusiness(t, err, MsgPaymentNotFound)
				return
			}
			if err != nil || inv.UUID != c.want {
				t.Fatalf("got %v, %v; want %s", inv, err, c.want)
			}
		})
	}

	// lazy expiry: reads see cancel, the row is not rewritten by a read …
	clk.Advance(time.Hour)
	inv, err := ops.Info(ctx, mA, InfoRequest{UUID: x.UUID})
	if err != nil || inv.Status != StatusCancel || !inv.Status.IsFinal() {
		t.Fatalf("after expiry: %+v %v", inv, err)
	}
	if st.invoices[x.UUID].Status != StatusCheck {
		t.Fatalf("a read wrote the expiry")
	}
	if c, _ := ops.Invoice(ctx, x.UUID); c.Status != StatusCancel {
		t.Fatalf("control read: %s", c.Status)
	}
	// … but the next write attempt stores it, even though it is refused
	_, err = ops.SetInvoiceStatus(ctx, x.UUID, StatusPaid, nil, "")
	wantCode(t, err, EInvalidState)
	if got := st.invoices[x.UUID]; got.Status != StatusCancel || !got.UpdatedAt.Equal(got.ExpiredAt) {
		t.Fatalf("stored %s at %v after the write attempt", got.Status, got.UpdatedAt)
	}
	err = ops.Refund(ctx, mA, RefundRequest{Address: "a", UUID: y.UUID})
	wantBusiness(t, err, MsgRefundNotCompleted)
	if st.invoices[y.UUID].Status != StatusCancel {
		t.Fatalf("a refused refund did not store the expiry")
	}
}

// paidInvoice creates an invoice of merchant A and pays it through the control API.
func paidInvoice(t *testing.T, ops *Operations, orderID, amount, currency string) *Invoice {
	t.Helper()
	ctx := context.Background()
	m, _ := ops.Merchant(ctx, merchantA)
	inv, _, err := ops.CreateInvoice(ctx, m, invoiceReq(orderID, amount, currency))
	if err != nil {
		t.Fatal(err)
	}
	inv, err = ops.SetInvoiceStatus(ctx, inv.UUID, StatusPaid, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func balance(t *testing.T, ops *Operations, merchant, currency string) decimal.Decimal {
	t.Helper()
	m, err := ops.Merchant(context.Background(), merchant)
	if err != nil {
		t.Fatal(err)
	}
	w := m.Wallet(currency)
	if w == nil {
		t.Fatalf("merchant %s has no %s wallet", merchant, currency)
	}
	return w.Balance
}

func TestRefundThroughOperations(t *testing.T) {
	ctx := context.Background()
	t.Run("success by uuid, then a second refund", func(t *testing.T) {
		ops, _, _ := setupOps(t)
		inv := paidInvoice(t, ops, "o-1", "0.12345678", "BTC")
		decEq(t, "paid", balance(t, ops, merchantA, "BTC"), dec("0.12345678"))
		m, _ := ops.Merchant(ctx, merchantA)
		if err := ops.Refund(ctx, m, RefundRequest{Address: "bc1qaddr", IsSubtract: true, UUID: inv.UUID}); err != nil {
			t.Fatal(err)
		}
		decEq(t, "after refund", balance(t, ops, merchantA, "BTC"), dec("-0.00123457"))
		got, _ := ops.Invoice(ctx, inv.UUID)
		if got.Status != StatusRefundProcess || got.Refund == nil || got.Refund.Address != "bc1qaddr" {
			t.Fatalf("invoice after refund %+v", got)
		}
		err := ops.Refund(ctx, m, RefundRequest{Address: "bc1qaddr", IsSubtract: true, UUID: inv.UUID})
		wantBusiness(t, err, MsgRefundNotCompleted)
		decEq(t, "after the second attempt", balance(t, ops, merchantA, "BTC"), dec("-0.00123457"))
		if _, err := ops.SetInvoiceStatus(ctx, inv.UUID, StatusRefundPaid, nil, ""); err != nil {
			t.Fatal(err)
		}
		wantBusiness(t, ops.Refund(ctx, m, RefundRequest{Address: "a", UUID: inv.UUID}), MsgRefundNotCompleted)
	})
	t.Run("by order_id; uuid wins when both are given", func(t *testing.T) {
		ops, _, _ := setupOps(t)
		x := paidInvoice(t, ops, "ox", "10", "USDT")
		y := paidInvoice(t, ops, "oy", "20", "USDT")
		m, _ := ops.Merchant(ctx, merchantA)
		if err := ops.Refund(ctx, m, RefundRequest{Address: "T", UUID: x.UUID, OrderID: "oy"}); err != nil {
			t.Fatal(err)
		}
		gx, _ := ops.Invoice(ctx, x.UUID)
		gy, _ := ops.Invoice(ctx, y.UUID)
		if gx.Status != StatusRefundProcess || gy.Status != StatusPaid {
			t.Fatalf("x %s y %s: the uuid must win", gx.Status, gy.Status)
		}
		if err := ops.Refund(ctx, m, RefundRequest{Address: "T", OrderID: "oy"}); err != nil {
			t.Fatal(err)
		}
		decEq(t, "wallet", balance(t, ops, merchantA, "USDT"), dec("0")) // 30 paid, 10 + 20 back, fees from the refunds
	})

	errorCases := []struct {
		name  string
		setup func(t *testing.T, ops *Operations) RefundRequest
		msg   string
	}{
		{"payments blocked", func(t *testing.T, ops *Operations) RefundRequest {
			inv := paidInvoice(t, ops, "o-1", "10", "USDT")
			blocked := true
			_, _ = ops.UpdateMerchant(ctx, merchantA, &blocked, nil)
			return RefundRequest{Address: "T", UUID: inv.UUID}
		}, MsgForbidden},
		{"blocked comes before not found", func(t *testing.T, ops *Operations) RefundRequest {
			blocked := true
			_, _ = ops.UpdateMerchant(ctx, merchantA, &blocked, nil)
			return RefundRequest{Address: "T", UUID: NewUUID()}
		}, MsgForbidden},
		{"unknown uuid", func(t *testing.T, ops *Operations) RefundRequest {
			return RefundRequest{Address: "T", UUID: NewUUID()}
		}, MsgPaymentNotFound},
		{"unknown order_id", func(t *testing.T, ops *Operations) RefundRequest {
			paidInvoice(t, ops, "o-1", "10", "USDT")
			return RefundRequest{Address: "T", OrderID: "o-2"}
		}, MsgPaymentNotFound},
		{"unknown uuid beside a known order_id (uuid wins)", func(t *testing.T, ops *Operations) RefundRequest {
			paidInvoice(t, ops, "o-1", "10", "USDT")
			return RefundRequest{Address: "T", UUID: NewUUID(), OrderID: "o-1"}
		}, MsgPaymentNotFound},
		{"another merchant's invoice", func(t *testing.T, ops *Operations) RefundRequest {
			mB, _ := ops.Merchant(ctx, merchantB)
			inv, _, _ := ops.CreateInvoice(ctx, mB, invoiceReq("ob", "1", "USDT"))
			_, _ = ops.SetInvoiceStatus(ctx, inv.UUID, StatusPaid, nil, "")
			return RefundRequest{Address: "T", UUID: inv.UUID}
		}, MsgPaymentNotFound},
		{"no wallet of the invoice's currency", func(t *testing.T, ops *Operations) RefundRequest {
			inv := paidInvoice(t, ops, "o-1", "10", "USDT")
			_, _ = ops.UpdateMerchant(ctx, merchantA, nil, &[]string{"BTC"})
			return RefundRequest{Address: "T", UUID: inv.UUID}
		}, MsgUndefinedWallet},
		{"not paid", func(t *testing.T, ops *Operations) RefundRequest {
			m, _ := ops.Merchant(ctx, merchantA)
			inv, _, _ := ops.CreateInvoice(ctx, m, invoiceReq("o-1", "10", "USDT"))
			return RefundRequest{Address: "T", UUID: inv.UUID}
		}, MsgRefundNotCompleted},
		{"more than paid (paid within the accuracy)", func(t *testing.T, ops *Operations) RefundRequest {
			m, _ := ops.Merchant(ctx, merchantA)
			req := invoiceReq("o-1", "10", "USDT")
			req.AccuracyPercent = dec("1")
			inv, _, _ := ops.CreateInvoice(ctx, m, req)
			if _, err := ops.SetInvoiceStatus(ctx, inv.UUID, StatusPaid, decp("9.95"), ""); err != nil {
				t.Fatal(err)
			}
			return RefundRequest{Address: "T", OrderID: "o-1"}
		}, MsgRefundMoreThanPaid},
	}
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			ops, _, _ := setupOps(t)
			req := c.setup(t, ops)
			before, _ := ops.Merchant(ctx, merchantA)
			m, _ := ops.Merchant(ctx, merchantA)
			wantBusiness(t, ops.Refund(ctx, m, req), c.msg)
			after, _ := ops.Merchant(ctx, merchantA)
			for i, w := range after.Wallets {
				if !w.Balance.Equal(before.Wallets[i].Balance) {
					t.Fatalf("wallet %s changed", w.Currency)
				}
			}
		})
	}
}

func TestMerchantControl(t *testing.T) {
	ops, _, _ := setupOps(t)
	ctx := context.Background()
	if _, err := ops.CreateMerchant(ctx, NewMerchant{UUID: merchantA, PaymentKey: "x"}); CodeOf(err) != EConflict {
		t.Fatalf("duplicate merchant: %v", err)
	}
	gen, err := ops.CreateMerchant(ctx, NewMerchant{PaymentKey: "k", PayoutKey: "p", Wallets: []string{"usdt"}})
	if err != nil || !IsUUID(gen.UUID) || gen.Wallet("USDT") == nil {
		t.Fatalf("generated merchant %+v %v", gen, err)
	}
	if _, err := ops.Merchant(ctx, NewUUID()); CodeOf(err) != ENotFound {
		t.Fatalf("unknown merchant: %v", err)
	}
	if _, err := ops.UpdateMerchant(ctx, NewUUID(), nil, nil); CodeOf(err) != ENotFound {
		t.Fatalf("update of an unknown merchant: %v", err)
	}

	paidInvoice(t, ops, "o-1", "12.5", "USDT")
	blocked := true
	m, err := ops.UpdateMerchant(ctx, strings.ToUpper(merchantA), &blocked, &[]string{"ETH", "usdt"})
	if err != nil {
		t.Fatal(err)
	}
	if !m.PaymentsBlocked || len(m.Wallets) != 2 || m.Wallets[0].Currency != "ETH" ||
		!m.Wallet("ETH").Balance.IsZero() || !m.Wallet("USDT").Balance.Equal(dec("12.5")) || m.Wallet("BTC") != nil {
		t.Fatalf("updated merchant %+v", m)
	}
	// only what is given changes
	m, _ = ops.UpdateMerchant(ctx, merchantA, nil, nil)
	if !m.PaymentsBlocked || len(m.Wallets) != 2 {
		t.Fatalf("an empty update changed %+v", m)
	}
	unblock := false
	m, _ = ops.UpdateMerchant(ctx, merchantA, &unblock, nil)
	if m.PaymentsBlocked {
		t.Fatal("not unblocked")
	}
	_, err = ops.UpdateMerchant(ctx, merchantA, &blocked, &[]string{"BAD CODE"})
	wantCode(t, err, EValidation)
	m, _ = ops.Merchant(ctx, merchantA)
	if m.PaymentsBlocked || len(m.Wallets) != 2 {
		t.Fatalf("a refused update changed %+v", m)
	}
	m, _ = ops.UpdateMerchant(ctx, merchantA, nil, &[]string{})
	if len(m.Wallets) != 0 {
		t.Fatalf("wallets %+v, want none", m.Wallets)
	}
}

func TestSetInvoiceStatusControl(t *testing.T) {
	ops, _, _ := setupOps(t)
	ctx := context.Background()
	_, err := ops.SetInvoiceStatus(ctx, NewUUID(), StatusPaid, nil, "")
	wantCode(t, err, ENotFound)
	m, _ := ops.Merchant(ctx, merchantA)
	inv, _, _ := ops.CreateInvoice(ctx, m, invoiceReq("o-1", "3", "USDT"))
	_, err = ops.SetInvoiceStatus(ctx, inv.UUID, "bogus", nil, "")
	wantCode(t, err, EValidation)
	_, err = ops.SetInvoiceStatus(ctx, inv.UUID, StatusPaidOver, decp("2"), "")
	wantCode(t, err, EValidation)
	got, err := ops.SetInvoiceStatus(ctx, strings.ToUpper(inv.UUID), StatusPaidOver, decp("3.5"), "0xabc")
	if err != nil || got.Status != StatusPaidOver || got.TxID != "0xabc" || got.Version != inv.Version+1 {
		t.Fatalf("paid_over: %+v %v", got, err)
	}
	decEq(t, "credited", balance(t, ops, merchantA, "USDT"), dec("3.5"))
	_, err = ops.SetInvoiceStatus(ctx, inv.UUID, StatusPaid, nil, "")
	wantCode(t, err, EInvalidState)
	decEq(t, "not credited twice", balance(t, ops, merchantA, "USDT"), dec("3.5"))
}
