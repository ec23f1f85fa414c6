package sqlitedb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/medusa"
)

func TestRecipientRoundTrip(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	r := newRecipient(t, platform1, "r1")
	if err := d.CreateRecipient(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := d.Recipient(ctx, platform1, "r1")
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, got, r)
	if len(got.PayoutMethods) != 2 || got.PayoutMethods[0].Type != medusa.PayoutSBP || got.PayoutMethods[1].Type != medusa.PayoutCard {
		t.Errorf("payout methods not in creation order: %+v", got.PayoutMethods)
	}
}

func TestRecipientWithoutSbpOrMethods(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	r, err := medusa.NewRecipient(platform1, "bare", "Bare", nil, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CreateRecipient(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := d.Recipient(ctx, platform1, "bare")
	if err != nil {
		t.Fatal(err)
	}
	if got.Sbp != nil || got.PayoutMethods != nil {
		t.Errorf("got Sbp %+v, payout methods %+v; want nil, nil", got.Sbp, got.PayoutMethods)
	}
	assertSame(t, got, r)

	// Empty SBP data is still SBP data: not nil.
	r2, _ := medusa.NewRecipient(platform1, "empty-sbp", "Empty", &medusa.SbpData{}, t0)
	if err := d.CreateRecipient(ctx, r2); err != nil {
		t.Fatal(err)
	}
	got2, err := d.Recipient(ctx, platform1, "empty-sbp")
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, got2, r2)
}

func TestRecipientDuplicatesAndPlatforms(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	if err := d.CreateRecipient(ctx, newRecipient(t, platform1, "r1")); err != nil {
		t.Fatal(err)
	}
	err := d.CreateRecipient(ctx, newRecipient(t, platform1, "r1"))
	wantCode(t, err, medusa.EConflict)
	if msg := medusa.MessageOf(err); msg != "recipient r1 already exists" {
		t.Errorf("message %q", msg)
	}
	// The same extId under another platform is another recipient.
	if err := d.CreateRecipient(ctx, newRecipient(t, platform2, "r1")); err != nil {
		t.Fatalf("same extId, other platform: %v", err)
	}
	_, err = d.Recipient(ctx, platform2, "r2")
	wantCode(t, err, medusa.ENotFound)
	if _, err := d.Recipient(ctx, platform2, "r1"); err != nil {
		t.Fatal(err)
	}
	// Another platform's recipient is simply not found.
	if err := d.CreateRecipient(ctx, newRecipient(t, platform1, "only-1")); err != nil {
		t.Fatal(err)
	}
	_, err = d.Recipient(ctx, platform2, "only-1")
	wantCode(t, err, medusa.ENotFound)
	_, err = d.UpdateRecipient(ctx, platform2, "only-1", func(*medusa.Recipient) error { return nil })
	wantCode(t, err, medusa.ENotFound)
}

func TestUpdateRecipientSyncsPayoutMethods(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	r := newRecipient(t, platform1, "r1")
	if err := d.CreateRecipient(ctx, r); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	got, err := d.UpdateRecipient(ctx, platform1, "r1", func(r *medusa.Recipient) error {
		if err := r.Update(r.Version, &medusa.SbpData{Phone: "+79990000000"}, later); err != nil {
			return err
		}
		if err := r.DeletePayoutMethod("pm-sbp", medusa.PayoutSBP, later); err != nil {
			return err
		}
		if err := r.AddSbpPayoutMethod("pm-sbp-2", "100000000004", later); err != nil {
			return err
		}
		return r.AddCardPayoutMethod("pm-card-2", "https://platform.example/2", later.Add(time.Second))
	})
	if err != nil {
		t.Fatal(err)
	}
	// Only Update moves the version; payout method changes do not.
	if got.Version != r.Version+1 {
		t.Errorf("version %d, want %d", got.Version, r.Version+1)
	}
	loaded, err := d.Recipient(ctx, platform1, "r1")
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, loaded, got)
	var exts []string
	for _, pm := range loaded.PayoutMethods {
		exts = append(exts, pm.ExtID)
	}
	if want := []string{"pm-card", "pm-sbp-2", "pm-card-2"}; len(exts) != 3 || exts[0] != want[0] || exts[1] != want[1] || exts[2] != want[2] {
		t.Errorf("payout methods %v, want %v", exts, want)
	}
	if loaded.Sbp.Phone != "+79990000000" || loaded.Sbp.FirstName != "Ivan" {
		t.Errorf("SBP data %+v", loaded.Sbp)
	}
}

func TestUpdateRecipientFnErrorChangesNothing(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	r := newRecipient(t, platform1, "r1")
	if err := d.CreateRecipient(ctx, r); err != nil {
		t.Fatal(err)
	}
	stale := r.Version - 1
	_, err := d.UpdateRecipient(ctx, platform1, "r1", func(r *medusa.Recipient) error {
		r.PayoutMethods = nil // changed, then refused: must not be stored
		return r.Update(stale, nil, t0)
	})
	wantCode(t, err, medusa.EConflict)
	sentinel := errors.New("boom")
	if _, err := d.UpdateRecipient(ctx, platform1, "r1", func(r *medusa.Recipient) error {
		r.Name = "changed"
		return sentinel
	}); err != sentinel {
		t.Fatalf("fn's error came back as %v", err)
	}
	got, err := d.Recipient(ctx, platform1, "r1")
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, got, r)
}
