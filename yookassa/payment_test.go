package yookassa

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func build(t *testing.T, in NewPayment) *Payment {
	t.Helper()
	p, err := BuildPayment(shopA, in, baseURL, t0)
	if err != nil {
		t.Fatalf("BuildPayment: %v", err)
	}
	return p
}

func TestBuildPayment(t *testing.T) {
	meta := map[string]string{"order_id": "72"}
	p := build(t, NewPayment{Amount: rub("2.00"), Description: "Заказ №72", Metadata: meta,
		Confirmation: &Confirmation{Type: ConfirmationEmbedded, ConfirmationToken: "ignored"}})
	if !IsPaymentID(p.ID) || p.ShopID != shopA || p.Status != StatusPending || p.Paid || p.Capture ||
		p.Description != "Заказ №72" || !p.CreatedAt.Equal(t0) || p.Version != 0 {
		t.Errorf("built %+v", p)
	}
	decEq(t, "amount", p.Amount.Value, dec("2"))
	decEq(t, "refunded", p.RefundedAmount, dec("0"))
	if p.IncomeAmount != nil || p.CapturedAt != nil || p.ExpiresAt != nil || p.CancellationDetails != nil {
		t.Errorf("a pending payment has capture data: %+v", p)
	}
	if c := p.Confirmation; c == nil || c.Type != ConfirmationEmbedded || c.ConfirmationToken != "ct-"+p.ID || c.ConfirmationURL != "" {
		t.Errorf("embedded confirmation %+v", c)
	}
	meta["order_id"] = "changed"
	if p.Metadata["order_id"] != "72" {
		t.Error("the payment shares the request's metadata map")
	}

	r := build(t, NewPayment{Amount: rub("10.00"), Capture: true,
		Confirmation: &Confirmation{Type: ConfirmationRedirect, ReturnURL: "https://shop.example/back?o=1"}})
	if c := r.Confirmation; c == nil || c.ConfirmationURL != baseURL+"/sandbox/v1/yookassa/confirm/"+r.ID ||
		c.ReturnURL != "https://shop.example/back?o=1" || c.ConfirmationToken != "" || !r.Capture {
		t.Errorf("redirect confirmation %+v", c)
	}
	if r.Metadata != nil {
		t.Errorf("no metadata came back as %#v", r.Metadata)
	}

	bare := build(t, NewPayment{Amount: rub("1.00"), Metadata: map[string]string{}})
	if bare.Confirmation != nil || bare.Metadata != nil {
		t.Errorf("payment without confirmation/metadata: %+v", bare)
	}
	if build(t, NewPayment{Amount: rub("1"), Description: strings.Repeat("я", MaxDescription)}).Description == "" {
		t.Error("a 128-character description was dropped")
	}
}

func TestBuildPaymentRejects(t *testing.T) {
	many := map[string]string{}
	for i := 0; i <= MaxMetadataKeys; i++ {
		many[strings.Repeat("k", i+1)] = "v"
	}
	for name, c := range map[string]struct {
		in    NewPayment
		param string
	}{
		"zero amount":        {NewPayment{Amount: rub("0")}, "amount.value"},
		"three decimals":     {NewPayment{Amount: rub("1.001")}, "amount.value"},
		"currency":           {NewPayment{Amount: Amount{Value: dec("1"), Currency: "GBP"}}, "amount.currency"},
		"long description":   {NewPayment{Amount: rub("1"), Description: strings.Repeat("я", MaxDescription+1)}, "description"},
		"17 metadata keys":   {NewPayment{Amount: rub("1"), Metadata: many}, "metadata"},
		"long metadata key":  {NewPayment{Amount: rub("1"), Metadata: map[string]string{strings.Repeat("k", 33): "v"}}, "metadata"},
		"empty metadata key": {NewPayment{Amount: rub("1"), Metadata: map[string]string{"": "v"}}, "metadata"},
		"long metadata value": {NewPayment{Amount: rub("1"),
			Metadata: map[string]string{"k": strings.Repeat("v", MaxMetadataValue+1)}}, "metadata"},
		"confirmation type": {NewPayment{Amount: rub("1"), Confirmation: &Confirmation{Type: "qr"}}, "confirmation.type"},
		"no type":           {NewPayment{Amount: rub("1"), Confirmation: &Confirmation{}}, "confirmation.type"},
		"redirect without return_url": {NewPayment{Amount: rub("1"),
			Confirmation: &Confirmation{Type: ConfirmationRedirect}}, "confirmation.return_url"},
		"relative return_url": {NewPayment{Amount: rub("1"),
			Confirmation: &Confirmation{Type: ConfirmationRedirect, ReturnURL: "/back"}}, "confirmation.return_url"},
		"long return_url": {NewPayment{Amount: rub("1"), Confirmation: &Confirmation{Type: ConfirmationRedirect,
			ReturnURL: "https://x.example/" + strings.Repeat("a", MaxReturnURL)}}, "confirmation.return_url"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := BuildPayment(shopA, c.in, baseURL, t0)
			wantParam(t, err, EInvalidRequest, c.param)
		})
	}
}

// inStatus returns a payment of shopA in status st, moved there by the rules.
func inStatus(t *testing.T, st PaymentStatus, capture bool) *Payment {
	t.Helper()
	p := build(t, paymentIn("10.00", capture))
	switch st {
	case StatusPending:
	case StatusWaitingForCapture:
		if capture {
			t.Fatal("a capture=true payment never waits for capture")
		}
		wantCode(t, p.Confirm(t0, DefaultFeeRate), "")
	case StatusSucceeded:
		wantCode(t, p.Confirm(t0, DefaultFeeRate), "")
		if !capture {
			wantCode(t, p.MerchantCapture(nil, t0, DefaultFeeRate), "")
		}
	case StatusCanceled:
		if capture {
			wantCode(t, p.PayerCancel(), "")
		} else {
			wantCode(t, p.Confirm(t0, DefaultFeeRate), "")
			wantCode(t, p.MerchantCancel(), "")
		}
	}
	if p.Status != st {
		t.Fatalf("setup reached %s, want %s", p.Status, st)
	}
	return p
}

// TestTransitionMatrix tries every step in every status: the legal ones
// move the payment, the others fail with the documented code and leave it
// untouched.
func TestTransitionMatrix(t *testing.T) {
	at := t0.Add(time.Hour)
	steps := map[string]func(*Payment) error{
		"Confirm":         func(p *Payment) error { return p.Confirm(at, DefaultFeeRate) },
		"PayerCancel":     (*Payment).PayerCancel,
		"MerchantCapture": func(p *Payment) error { return p.MerchantCapture(nil, at, DefaultFeeRate) },
		"MerchantCancel":  (*Payment).MerchantCancel,
	}
	type from struct {
		status  PaymentStatus
		capture bool
	}
	// want[from][step] = resulting status, or "" for an error
	want := map[from]map[string]PaymentStatus{
		{StatusPending, true}:            {"Confirm": StatusSucceeded, "PayerCancel": StatusCanceled},
		{StatusPending, false}:           {"Confirm": StatusWaitingForCapture, "PayerCancel": StatusCanceled},
		{StatusWaitingForCapture, false}: {"MerchantCapture": StatusSucceeded, "MerchantCancel": StatusCanceled},
		{StatusSucceeded, true}:          {},
		{StatusSucceeded, false}:         {},
		{StatusCanceled, true}:           {},
		{StatusCanceled, false}:          {},
	}
	for f, legal := range want {
		for name, step := range steps {
			t.Run(fmt.Sprintf("%s/capture=%v/%s", f.status, f.capture, name), func(t *testing.T) {
				p := inStatus(t, f.status, f.capture)
				before := clonePayment(p)
				err := step(p)
				to, ok := legal[name]
				if !ok {
					code := EInvalidState // the payer's steps (control API)
					if strings.HasPrefix(name, "Merchant") {
						code = EInvalidRequest // the merchant's API
					}
					e := wantCode(t, err, code)
					if !strings.Contains(e.Description, string(f.status)) {
						t.Errorf("description %q does not name the status %s", e.Description, f.status)
					}
					if code == EInvalidRequest && !strings.HasPrefix(e.Description, "Payment doesn't have the waiting_for_capture status") {
						t.Errorf("description %q", e.Description)
					}
					if !samePayment(p, before) {
						t.Errorf("a refused step changed the payment:\n%+v\n%+v", p, before)
					}
					return
				}
				wantCode(t, err, "")
				if p.Status != to || p.Version != before.Version+1 {
					t.Fatalf("status %s version %d, want %s version %d", p.Status, p.Version, to, before.Version+1)
				}
				checkInvariants(t, p)
			})
		}
	}
}

// checkInvariants checks what each status implies.
func checkInvariants(t *testing.T, p *Payment) {
	t.Helper()
	switch p.Status {
	case StatusPending:
		if p.Paid || p.CapturedAt != nil || p.IncomeAmount != nil || p.ExpiresAt != nil || p.CancellationDetails != nil {
			t.Errorf("pending %+v", p)
		}
	case StatusWaitingForCapture:
		if !p.Paid || p.CapturedAt != nil || p.IncomeAmount != nil || p.ExpiresAt == nil || p.CancellationDetails != nil {
			t.Errorf("waiting_for_capture %+v", p)
		}
	case StatusSucceeded:
		if !p.Paid || p.CapturedAt == nil || p.IncomeAmount == nil || p.ExpiresAt != nil || p.CancellationDetails != nil {
			t.Errorf("succeeded %+v", p)
		}
	case StatusCanceled:
		if p.Paid || p.CapturedAt != nil || p.IncomeAmount != nil || p.ExpiresAt != nil || p.CancellationDetails == nil {
			t.Errorf("canceled %+v", p)
		}
	}
}

func TestConfirmWithCaptureSucceeds(t *testing.T) {
	p := build(t, paymentIn("10.00", true))
	at := t0.Add(time.Minute)
	wantCode(t, p.Confirm(at, DefaultFeeRate), "")
	if p.Status != StatusSucceeded || !p.Paid || p.CapturedAt == nil || !p.CapturedAt.Equal(at) || p.ExpiresAt != nil {
		t.Fatalf("after Confirm: %+v", p)
	}
	decEq(t, "income", p.IncomeAmount.Value, dec("9.65"))
	if p.IncomeAmount.Currency != CurrencyRUB {
		t.Errorf("income currency %s", p.IncomeAmount.Currency)
	}
}

func TestConfirmWithoutCaptureWaits(t *testing.T) {
	p := build(t, paymentIn("10.00", false))
	at := t0.Add(time.Minute)
	wantCode(t, p.Confirm(at, DefaultFeeRate), "")
	if p.Status != StatusWaitingForCapture || !p.Paid || p.CapturedAt != nil || p.IncomeAmount != nil {
		t.Fatalf("after Confirm: %+v", p)
	}
	if p.ExpiresAt == nil || !p.ExpiresAt.Equal(at.Add(7*24*time.Hour)) {
		t.Errorf("expires_at %v, want confirmation + 7 days", p.ExpiresAt)
	}
}

func TestPayerCancel(t *testing.T) {
	p := build(t, paymentIn("10.00", true))
	wantCode(t, p.PayerCancel(), "")
	if d := p.CancellationDetails; p.Status != StatusCanceled || p.Paid || d == nil ||
		d.Party != "yoo_money" || d.Reason != "expired_on_confirmation" {
		t.Fatalf("after PayerCancel: %+v %+v", p, d)
	}
}

func TestMerchantCancel(t *testing.T) {
	p := inStatus(t, StatusWaitingForCapture, false)
	wantCode(t, p.MerchantCancel(), "")
	if d := p.CancellationDetails; p.Status != StatusCanceled || p.Paid || p.ExpiresAt != nil || d == nil ||
		d.Party != "merchant" || d.Reason != "canceled_by_merchant" {
		t.Fatalf("after MerchantCancel: %+v %+v", p, d)
	}
}

func TestMerchantCaptureFull(t *testing.T) {
	p := inStatus(t, StatusWaitingForCapture, false)
	at := t0.Add(2 * time.Hour)
	wantCode(t, p.MerchantCapture(rubPtr("10.00"), at, DefaultFeeRate), "")
	if p.Status != StatusSucceeded || !p.CapturedAt.Equal(at) || p.ExpiresAt != nil {
		t.Fatalf("after capture: %+v", p)
	}
	decEq(t, "amount", p.Amount.Value, dec("10"))
	decEq(t, "income", p.IncomeAmount.Value, dec("9.65"))
}

func TestMerchantCapturePartial(t *testing.T) {
	p := inStatus(t, StatusWaitingForCapture, false)
	wantCode(t, p.MerchantCapture(rubPtr("3.00"), t0, DefaultFeeRate), "")
	decEq(t, "amount lowered to the captured", p.Amount.Value, dec("3"))
	decEq(t, "income of the captured amount", p.IncomeAmount.Value, dec("2.89"))
	if !p.Refundable() {
		t.Error("a succeeded payment is not refundable")
	}
	decEq(t, "available", p.Available(), dec("3"))
}

func TestMerchantCaptureRejects(t *testing.T) {
	for name, c := range map[string]struct {
		amount *Amount
		param  string
	}{
		"one kopeck over": {rubPtr("10.01"), "amount.value"},
		"other currency":  {&Amount{Value: dec("5"), Currency: CurrencyUSD}, "amount.currency"},
		"zero":            {rubPtr("0"), "amount.value"},
		"three decimals":  {rubPtr("1.005"), "amount.value"},
	} {
		t.Run(name, func(t *testing.T) {
			p := inStatus(t, StatusWaitingForCapture, false)
			before := clonePayment(p)
			wantParam(t, p.MerchantCapture(c.amount, t0, DefaultFeeRate), EInvalidRequest, c.param)
			if !samePayment(p, before) {
				t.Error("a refused capture changed the payment")
			}
		})
	}
}
