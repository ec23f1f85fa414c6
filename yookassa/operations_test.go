package yookassa

import (
	"context"
	"testing"
	"time"
)

func TestAuthenticate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	wantCode(t, f.ops.EnsureDefaults(ctx), "")
	shop, err := f.ops.Authenticate(ctx, shopA, secretA)
	wantCode(t, err, "")
	if shop.ShopID != shopA {
		t.Errorf("authenticated as %+v", shop)
	}
	if _, err := f.ops.Authenticate(ctx, DefaultShopID, DefaultSecretKey); err != nil {
		t.Errorf("default credentials: %v", err)
	}
	for name, c := range map[string][2]string{
		"wrong secret":       {shopA, secretB},
		"secret of length+1": {shopA, secretA + "x"},
		"secret prefix":      {shopA, secretA[:len(secretA)-1]},
		"case":               {shopA, "SECRET-A"},
		"empty secret":       {shopA, ""},
		"empty shop":         {"", secretA},
		"unknown shop":       {"999", secretA},
		// the unknown-shop path compares against the default secret; that
		// must never let it in
		"unknown shop with the default secret": {"999", DefaultSecretKey},
		"other shop's secret":                  {shopB, secretA},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := f.ops.Authenticate(ctx, c[0], c[1])
			e := wantParam(t, err, EInvalidCredentials, "Authorization")
			if s != nil {
				t.Errorf("returned shop %+v with the error", s)
			}
			if e.Description != "Error in shopId or secret key. Check their validity. You can reissue the key in the Merchant Profile" {
				t.Errorf("description %q", e.Description)
			}
		})
	}
}

// failingStore fails every read with a non-domain error.
type failingStore struct{ Store }

func (failingStore) Shop(context.Context, string) (*Shop, error) { return nil, errorString("db down") }

func TestAuthenticateStoreFailureIsNotCredentials(t *testing.T) {
	ops := &Operations{Store: failingStore{}}
	_, err := ops.Authenticate(context.Background(), shopA, secretA)
	if err == nil || CodeOf(err) != EInternal {
		t.Fatalf("err = %v, want the store's error (500)", err)
	}
	if err := ops.EnsureDefaults(context.Background()); err == nil {
		t.Fatal("EnsureDefaults hid the store's error")
	}
}

func TestEnsureDefaults(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		wantCode(t, f.ops.EnsureDefaults(ctx), "")
	}
	s, err := f.store.Shop(ctx, "100500")
	wantCode(t, err, "")
	if s.SecretKey != "test_sandbox_secret" || len(f.store.shops) != 3 {
		t.Errorf("default shop %+v, %d shops", s, len(f.store.shops))
	}
	// a concurrent creator won between the read and the create
	g := newFixture(t)
	g.store.createShopErr = Errorf(EConflict, "exists")
	wantCode(t, g.ops.EnsureDefaults(ctx), "")
}

func TestCreateShop(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	wantCode(t, f.ops.CreateShop(ctx, Shop{ShopID: "s3", SecretKey: "k3"}), "")
	wantCode(t, f.ops.CreateShop(ctx, Shop{ShopID: "s3", SecretKey: "k3"}), EConflict)
	wantCode(t, f.ops.CreateShop(ctx, Shop{ShopID: "s4"}), EInvalidRequest)
	if _, err := f.ops.Authenticate(ctx, "s3", "k3"); err != nil {
		t.Error(err)
	}
}

func TestOperationsCreatePayment(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := NewPayment{Amount: rub("2.00"), Description: "Order 72", Metadata: map[string]string{"o": "72"},
		Confirmation: &Confirmation{Type: ConfirmationRedirect, ReturnURL: "https://shop.example/r"}}
	var made *Payment
	status, body, err := f.ops.CreatePayment(ctx, shopA, key("c"), in, func(p *Payment) (int, []byte, error) {
		made = p
		return f.renderPayment(p)
	})
	wantCode(t, err, "")
	if status != 200 || string(body) != "pending "+made.ID+" 2.00 RUB" {
		t.Errorf("response %d %q", status, body)
	}
	if !made.CreatedAt.Equal(t0) || made.ShopID != shopA ||
		made.Confirmation.ConfirmationURL != "https://sandbox.test/sandbox/v1/yookassa/confirm/"+made.ID {
		t.Errorf("created %+v %+v", made, made.Confirmation)
	}
	got, err := f.ops.Payment(ctx, shopA, made.ID)
	wantCode(t, err, "")
	if !samePayment(got, made) {
		t.Errorf("stored %+v\nwant %+v", got, made)
	}
	_, err = f.ops.Payment(ctx, shopB, made.ID)
	wantParam(t, err, ENotFound, "payment_id")

	// a rule error stores nothing
	_, _, err = f.ops.CreatePayment(ctx, shopA, key("c2"), NewPayment{Amount: rub("0")}, f.renderPayment)
	wantParam(t, err, EInvalidRequest, "amount.value")
	if len(f.store.payments) != 1 || len(f.store.idem) != 1 {
		t.Errorf("%d payments, %d records after a refused create", len(f.store.payments), len(f.store.idem))
	}
}

func TestOperationsCaptureAndCancel(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.create(t, shopA, paymentIn("10.00", false))

	// not yet confirmed: the merchant cannot capture or cancel
	_, _, err := f.ops.Capture(ctx, shopA, p.ID, key("cap"), nil, f.renderPayment)
	wantParam(t, err, EInvalidRequest, "payment_id")
	_, _, err = f.ops.Cancel(ctx, shopA, p.ID, key("can"), f.renderPayment)
	wantParam(t, err, EInvalidRequest, "payment_id")

	f.now = t0.Add(time.Minute)
	w, err := f.ops.Confirm(ctx, p.ID)
	wantCode(t, err, "")
	if w.Status != StatusWaitingForCapture || !w.ExpiresAt.Equal(f.now.Add(CaptureWindow)) {
		t.Fatalf("after Confirm %+v", w)
	}
	_, err = f.ops.Confirm(ctx, p.ID)
	wantCode(t, err, EInvalidState)
	_, err = f.ops.PayerCancel(ctx, p.ID)
	wantCode(t, err, EInvalidState)

	// another shop's payment is not found
	_, _, err = f.ops.Capture(ctx, shopB, p.ID, key("cap"), nil, f.renderPayment)
	wantParam(t, err, ENotFound, "payment_id")
	_, _, err = f.ops.Cancel(ctx, shopB, p.ID, key("can"), f.renderPayment)
	wantParam(t, err, ENotFound, "payment_id")
	_, _, err = f.ops.Capture(ctx, shopA, NewPaymentID(), key("cap"), nil, f.renderPayment)
	wantParam(t, err, ENotFound, "payment_id")

	f.now = t0.Add(time.Hour)
	status, body, err := f.ops.Capture(ctx, shopA, p.ID, key("cap"), rubPtr("6.00"), f.renderPayment)
	wantCode(t, err, "")
	if status != 200 || string(body) != "succeeded "+p.ID+" 6.00 RUB" {
		t.Errorf("capture response %d %q", status, body)
	}
	got, _ := f.ops.Payment(ctx, shopA, p.ID)
	if got.Status != StatusSucceeded || !got.CapturedAt.Equal(f.now) || got.Version != 2 {
		t.Errorf("after capture %+v", got)
	}
	decEq(t, "income", got.IncomeAmount.Value, dec("5.79")) // 6.00 − 0.21
	_, _, err = f.ops.Cancel(ctx, shopA, p.ID, key("can"), f.renderPayment)
	wantParam(t, err, EInvalidRequest, "payment_id")

	q := f.create(t, shopA, paymentIn("5.00", false))
	if _, err := f.ops.Confirm(ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	_, body, err = f.ops.Cancel(ctx, shopA, q.ID, key("can"), f.renderPayment)
	wantCode(t, err, "")
	if string(body) != "canceled "+q.ID+" 5.00 RUB" {
		t.Errorf("cancel response %q", body)
	}
}

func TestOperationsPayerSteps(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.create(t, shopB, paymentIn("10.00", true))
	got, err := f.ops.PayerCancel(ctx, p.ID) // the control API acts on any shop
	wantCode(t, err, "")
	if got.Status != StatusCanceled || got.CancellationDetails.Party != PartyYooMoney {
		t.Errorf("after PayerCancel %+v", got)
	}
	_, err = f.ops.Confirm(ctx, p.ID)
	wantCode(t, err, EInvalidState)
	_, err = f.ops.Confirm(ctx, NewPaymentID())
	wantCode(t, err, ENotFound)

	q := f.create(t, shopB, paymentIn("10.00", true))
	got, err = f.ops.Confirm(ctx, q.ID)
	wantCode(t, err, "")
	if got.Status != StatusSucceeded || !got.IncomeAmount.Value.Equal(dec("9.65")) {
		t.Errorf("after Confirm %+v", got)
	}
	stored, _ := f.store.PaymentAnyShop(ctx, q.ID)
	if !samePayment(stored, got) {
		t.Error("Confirm returned something else than it stored")
	}
}

func TestOperationsFeeRateSetting(t *testing.T) {
	f := newFixture(t)
	f.ops.FeeRate = dec("0.02")
	p := f.succeeded(t, shopA, "10.00")
	decEq(t, "income at 2%", p.IncomeAmount.Value, dec("9.80"))
}
