package medusa

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fakeStore is the minimal in-memory Store that Authenticate and
// EnsureDefaults need: tokens and recipients. The order methods are never
// called by them.
type fakeStore struct {
	Store             // nil: any other method panics, which a test would show
	tokens            map[string]Token
	recipients        map[string]*Recipient
	createdTokens     int
	createdRecipients int
}

func newFakeStore() *fakeStore {
	return &fakeStore{tokens: map[string]Token{}, recipients: map[string]*Recipient{}}
}

func (f *fakeStore) Token(_ context.Context, token string) (*Token, error) {
	t, ok := f.tokens[token]
	if !ok {
		return nil, Errorf(ENotFound, "token not found")
	}
	return &t, nil
}

func (f *fakeStore) CreateToken(_ context.Context, t Token) error {
	if _, ok := f.tokens[t.Token]; ok {
		return Errorf(EConflict, "token exists")
	}
	f.tokens[t.Token] = t
	f.createdTokens++
	return nil
}

func (f *fakeStore) Recipient(_ context.Context, platformID, extID string) (*Recipient, error) {
	r, ok := f.recipients[platformID+"/"+extID]
	if !ok {
		return nil, Errorf(ENotFound, "recipient %s not found", extID)
	}
	return cloneRecipient(r), nil
}

func (f *fakeStore) CreateRecipient(_ context.Context, r *Recipient) error {
	k := r.PlatformID + "/" + r.ExtID
	if _, ok := f.recipients[k]; ok {
		return Errorf(EConflict, "recipient exists")
	}
	f.recipients[k] = cloneRecipient(r)
	f.createdRecipients++
	return nil
}

func TestAuthenticate(t *testing.T) {
	store := newFakeStore()
	store.tokens["good"] = Token{Token: "good", PlatformID: "p1", Permissions: []string{"other", PermissionMedusa}}
	store.tokens["no-perm"] = Token{Token: "no-perm", PlatformID: "p2", Permissions: []string{"other"}}
	store.tokens["none"] = Token{Token: "none", PlatformID: "p3"}
	ops := &Operations{Store: store, Tariff: DefaultTariff}
	tests := []struct {
		token    string
		want     ErrorCode
		platform string
	}{
		{token: "", want: EUnauthorized},
		{token: "unknown", want: EUnauthorized},
		{token: "GOOD", want: EUnauthorized},
		{token: "no-perm", want: EForbidden},
		{token: "none", want: EForbidden},
		{token: "good", platform: "p1"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.token), func(t *testing.T) {
			tok, err := ops.Authenticate(context.Background(), tc.token)
			wantCode(t, err, tc.want)
			if tc.want != ok {
				if tok != nil {
					t.Errorf("token returned with an error: %+v", tok)
				}
				return
			}
			if tok.PlatformID != tc.platform {
				t.Errorf("platform = %s, want %s", tok.PlatformID, tc.platform)
			}
		})
	}
}

func TestEnsureDefaults(t *testing.T) {
	store := newFakeStore()
	ops := &Operations{Store: store, Tariff: DefaultTariff, Now: func() time.Time { return t0 }}
	ctx := context.Background()
	for i := range 3 {
		if err := ops.EnsureDefaults(ctx); err != nil {
			t.Fatalf("EnsureDefaults #%d: %v", i+1, err)
		}
	}
	if store.createdTokens != 1 || store.createdRecipients != 1 {
		t.Errorf("created %d tokens and %d recipients over 3 runs, want 1 and 1", store.createdTokens, store.createdRecipients)
	}
	tok, err := ops.Authenticate(ctx, DefaultToken)
	if err != nil || tok.PlatformID != DefaultPlatformID {
		t.Fatalf("default token: %+v, %v", tok, err)
	}
	r, err := store.Recipient(ctx, DefaultPlatformID, DefaultRecipientExtID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != DefaultRecipientName || r.Version != 0 || r.Sbp == nil || !r.CreatedAt.Equal(t0) {
		t.Errorf("default recipient = %+v", r)
	}
	pm := r.PayoutMethod(DefaultPayoutMethodExtID)
	if pm == nil || pm.Type != PayoutSBP || pm.BankID != DefaultSbpBankID {
		t.Errorf("default payout method = %+v", pm)
	}
	// The first update of the default recipient sends version 0.
	if err := r.Update(0, nil, t0); err != nil {
		t.Errorf("update with version 0: %v", err)
	}

	t.Run("token present, recipient missing", func(t *testing.T) {
		store := newFakeStore()
		store.tokens[DefaultToken] = Token{Token: DefaultToken, PlatformID: DefaultPlatformID, Permissions: []string{PermissionMedusa}}
		ops := &Operations{Store: store}
		if err := ops.EnsureDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		if store.createdTokens != 0 || store.createdRecipients != 1 {
			t.Errorf("created %d tokens and %d recipients, want 0 and 1", store.createdTokens, store.createdRecipients)
		}
	})
}

func TestErrors(t *testing.T) {
	e := Errorf(EConflict, "order %s has version %d", "o1", 3)
	if e.Error() != "ConflictError: order o1 has version 3" {
		t.Errorf("Error() = %q", e.Error())
	}
	wrapped := fmt.Errorf("store: %w", e)
	plain := errors.New("disk on fire: /secret/path")
	tests := []struct {
		err      error
		code     ErrorCode
		msg      string
		notFound bool
	}{
		{e, EConflict, "order o1 has version 3", false},
		{wrapped, EConflict, "order o1 has version 3", false},
		{plain, EInternal, "Internal server error", false},
		{nil, EInternal, "Internal server error", false},
		{Errorf(ENotFound, "x"), ENotFound, "x", true},
		{fmt.Errorf("a: %w", Errorf(ENotFound, "y")), ENotFound, "y", true},
	}
	for _, tc := range tests {
		if got := CodeOf(tc.err); got != tc.code {
			t.Errorf("CodeOf(%v) = %s, want %s", tc.err, got, tc.code)
		}
		if got := MessageOf(tc.err); got != tc.msg {
			t.Errorf("MessageOf(%v) = %q, want %q", tc.err, got, tc.msg)
		}
		if got := IsNotFound(tc.err); got != tc.notFound {
			t.Errorf("IsNotFound(%v) = %v", tc.err, got)
		}
	}
	if strings.Contains(MessageOf(plain), "secret") {
		t.Error("a non-domain error leaked its text")
	}
}

func TestTokenCanAndDecisionValid(t *testing.T) {
	tok := &Token{Permissions: []string{"a", PermissionMedusa}}
	if !tok.Can(PermissionMedusa) || tok.Can("b") || (&Token{}).Can(PermissionMedusa) {
		t.Error("Token.Can is wrong")
	}
	for d, want := range map[Decision]bool{DecisionNotDecided: true, DecisionConfirmed: true, DecisionRejected: true, "": false, "CONFIRMED": false, "maybe": false} {
		if d.Valid() != want {
			t.Errorf("Decision(%q).Valid() = %v", d, !want)
		}
	}
}

func TestReportOfUnpaidOrder(t *testing.T) {
	o := newStdOrder(t, DecisionConfirmed, DecisionRejected)
	rep := ReportOf(o)
	if rep.OrderExtID != o.ExtID || !rep.OrderCreatedAt.Equal(t0) {
		t.Errorf("report ids = %+v", rep)
	}
	for name, v := range map[string]string{
		"refill": Money(rep.RefillSum), "refund": Money(rep.RefundSum), "payout": Money(rep.PayoutSum),
		"platform": Money(rep.PlatformCommissionSum), "compensation": Money(rep.CompensationSum),
	} {
		if v != "0.00" {
			t.Errorf("%s = %s for an unpaid order, want 0.00", name, v)
		}
	}
	if err := o.MarkPaidByAcquirer(at(1)); err != nil {
		t.Fatal(err)
	}
	rep = ReportOf(o)
	decEq(t, "refill", rep.RefillSum, dec("1500.00"))
	decEq(t, "refund", rep.RefundSum, dec("500.00"))
	decEq(t, "payout", rep.PayoutSum, dec("900.00"))
	decEq(t, "acquiring", rep.IncomePaymentCommissionSum, dec("20.00"))
	decEq(t, "payout fee", rep.OutgoingPayoutCommissionSum, dec("5.00"))
	decEq(t, "platform", rep.PlatformCommissionSum, dec("75.00"))
}
