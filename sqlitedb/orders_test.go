package sqlitedb

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paysandbox/paysandbox/medusa"
)

// setup stores recipient r1 of platform1 and an order o1 (services s1
// confirmed, s2 rejected) made at t0.
func setup(t *testing.T) (*DB, *medusa.Recipient, *medusa.Order) {
	t.Helper()
	d, _ := openTest(t)
	r := newRecipient(t, platform1, "r1")
	if err := d.CreateRecipient(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	o := newOrder(t, r, "o1", "s1", "s2", medusa.DecisionConfirmed, medusa.DecisionRejected, t0)
	if err := d.CreateOrder(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return d, r, o
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestOrderRoundTrip(t *testing.T) {
	d, _, o := setup(t)
	got, err := d.Order(context.Background(), platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, got, o)
	if got.Services[0].ExtID != "s1" || got.Services[1].ExtID != "s2" {
		t.Errorf("services out of order: %s, %s", got.Services[0].ExtID, got.Services[1].ExtID)
	}
	if !got.Services[1].Fees.Payout.Equal(dec("2.50")) || !got.Services[1].Price.Equal(dec("500.5")) {
		t.Errorf("service s2 money: %+v", got.Services[1])
	}
}

func TestOrderWithoutReceipt(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	r := newRecipient(t, platform1, "r1")
	o := newOrder(t, r, "o1", "s1", "s2", "", "", t0)
	o.Receipt = nil
	if err := d.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	got, err := d.Order(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Receipt != nil {
		t.Errorf("Receipt %+v, want nil", got.Receipt)
	}
	assertSame(t, got, o)
}

func TestTimesRoundTripExactly(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	r := newRecipient(t, platform1, "r1")
	for i, at := range []time.Time{
		t0,
		t0.Truncate(time.Second),      // no fraction
		t0.Truncate(time.Millisecond), // trailing zeros
		time.Now().UTC(),              // what the server uses
		time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC), // leading zeros in the fraction
		t0.In(time.FixedZone("MSK", 3*3600)).UTC(),
	} {
		ext := fmt.Sprintf("o%d", i)
		o := newOrder(t, r, ext, "a"+ext, "b"+ext, medusa.DecisionConfirmed, "", at)
		if err := d.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		got, err := d.Order(ctx, platform1, ext)
		if err != nil {
			t.Fatal(err)
		}
		if got.CreatedAt != at || *got.Services[0].DecisionMadeAt != at || got.CreatedAt.Location() != time.UTC {
			t.Errorf("%v came back as %v (%v)", at, got.CreatedAt, got.CreatedAt.Location())
		}
	}
}

func TestOrderDuplicatesAndPlatforms(t *testing.T) {
	d, r, _ := setup(t)
	ctx := context.Background()

	err := d.CreateOrder(ctx, newOrder(t, r, "o1", "x1", "x2", "", "", t0))
	wantCode(t, err, medusa.EConflict)
	if msg := medusa.MessageOf(err); msg != "order o1 already exists" {
		t.Errorf("message %q", msg)
	}
	// A service extId reused in another order of the same platform.
	err = d.CreateOrder(ctx, newOrder(t, r, "o2", "x1", "s2", "", "", t0))
	wantCode(t, err, medusa.EConflict)
	if msg := medusa.MessageOf(err); msg != "service s2 already exists" {
		t.Errorf("message %q", msg)
	}
	// The failed create left nothing behind.
	_, err = d.Order(ctx, platform1, "o2")
	wantCode(t, err, medusa.ENotFound)
	_, err = d.OrderExtIDByService(ctx, platform1, "x1")
	wantCode(t, err, medusa.ENotFound)

	// The same extIds under another platform are fine.
	r2 := newRecipient(t, platform2, "r1")
	if err := d.CreateOrder(ctx, newOrder(t, r2, "o1", "s1", "s2", "", "", t0)); err != nil {
		t.Fatalf("same extIds, other platform: %v", err)
	}
	if ext, err := d.OrderExtIDByService(ctx, platform2, "s2"); err != nil || ext != "o1" {
		t.Fatalf("OrderExtIDByService = %q, %v", ext, err)
	}

	// Another platform's order is not found, whatever the call.
	if err := d.CreateOrder(ctx, newOrder(t, r, "only-1", "only-s1", "only-s2", "", "", t0)); err != nil {
		t.Fatal(err)
	}
	_, err = d.Order(ctx, platform2, "only-1")
	wantCode(t, err, medusa.ENotFound)
	_, err = d.UpdateOrder(ctx, platform2, "only-1", func(*medusa.Order) error { return nil })
	wantCode(t, err, medusa.ENotFound)
	_, err = d.Postings(ctx, platform2, "only-1")
	wantCode(t, err, medusa.ENotFound)
	_, err = d.OrderExtIDByService(ctx, platform2, "only-s1")
	wantCode(t, err, medusa.ENotFound)
}

func TestUpdateOrderFnErrorChangesNothing(t *testing.T) {
	d, _, o := setup(t)
	ctx := context.Background()
	sentinel := errors.New("refused")
	_, err := d.UpdateOrder(ctx, platform1, "o1", func(o *medusa.Order) error {
		if err := o.MarkPaidByAcquirer(t0); err != nil { // changes the order and posts
			return err
		}
		return sentinel
	})
	if err != sentinel {
		t.Fatalf("fn's error came back as %v", err)
	}
	got, err := d.Order(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, got, o)
	ps, err := d.Postings(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 0 {
		t.Errorf("postings after a refused update: %+v", ps)
	}
}

func TestUpdateOrderStoresChanges(t *testing.T) {
	d, _, o := setup(t)
	ctx := context.Background()
	paidAt := t0.Add(time.Minute)
	got, err := d.UpdateOrder(ctx, platform1, "o1", func(o *medusa.Order) error { return o.MarkPaidByAcquirer(paidAt) })
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != o.Version+1 || got.State != medusa.OrderWaitingServices || got.NewPostings != nil {
		t.Errorf("returned version %d state %s new postings %v", got.Version, got.State, got.NewPostings)
	}
	loaded, err := d.Order(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, loaded, got)
	if !loaded.Balances.Nominal.Equal(dec("1500.50")) || *loaded.PayedAt != paidAt {
		t.Errorf("balances %+v payedAt %v", loaded.Balances, loaded.PayedAt)
	}
	for _, s := range loaded.Services {
		if s.State != medusa.ServiceReadyToExecute {
			t.Errorf("service %s is %s", s.ExtID, s.State)
		}
	}
	ps, err := d.Postings(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	want := []medusa.Posting{{Step: medusa.StepMarkOrderPaidByAcquirer, Debit: medusa.AccountBuyer,
		Credit: medusa.AccountNominal, Amount: dec("1500.50"), At: paidAt}}
	assertSame(t, ps, want)
}

// lifecycle drives order o1 of setup through every step, finishing at end.
func lifecycle(t *testing.T, d *DB, ext, s1, s2 string, start, end time.Time) *medusa.Order {
	t.Helper()
	steps := []func(*medusa.Order) error{
		func(o *medusa.Order) error { return o.MarkPaidByAcquirer(start) },
		func(o *medusa.Order) error { return o.PayoutToRecipient(s1, start.Add(1*time.Second)) },
		func(o *medusa.Order) error { return o.PayoutCommission(s1, start.Add(2*time.Second)) },
		func(o *medusa.Order) error { return o.Refund(s2, start.Add(3*time.Second)) },
		func(o *medusa.Order) error { return o.AcquiringCommission(start.Add(4 * time.Second)) },
		func(o *medusa.Order) error { return o.MovePlatformCommission(start.Add(5 * time.Second)) },
		func(o *medusa.Order) error { return o.PlatformCommission(end) },
	}
	var o *medusa.Order
	for i, step := range steps {
		var err error
		if o, err = d.UpdateOrder(context.Background(), platform1, ext, step); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	return o
}

func TestOrderLifecycle(t *testing.T) {
	d, _, o := setup(t)
	ctx := context.Background()
	end := t0.Add(time.Hour)
	last := lifecycle(t, d, "o1", "s1", "s2", t0.Add(time.Minute), end)

	got, err := d.Order(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, got, last)
	if got.State != medusa.OrderFinished || *got.FinishedAt != end || got.Version != o.Version+7 {
		t.Errorf("state %s finishedAt %v version %d", got.State, got.FinishedAt, got.Version)
	}
	for _, s := range got.Services {
		if s.State != medusa.ServiceExecuted || s.ExecutedAt == nil {
			t.Errorf("service %s: %s executedAt %v", s.ExtID, s.State, s.ExecutedAt)
		}
	}

	ps, err := d.Postings(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	steps := []string{medusa.StepMarkOrderPaidByAcquirer, medusa.StepProceedServicePayoutToRecipient,
		medusa.StepProceedServicePayoutCommission, medusa.StepProceedRefund, medusa.StepProceedAcquiringCommission,
		medusa.StepMovePlatformCommissionToCommissionAccount, medusa.StepProceedPlatformCommission}
	if len(ps) != len(steps) {
		t.Fatalf("%d postings, want %d: %+v", len(ps), len(steps), ps)
	}
	for i, p := range ps {
		if p.Step != steps[i] {
			t.Errorf("posting %d is %s, want %s", i, p.Step, steps[i])
		}
	}

	b := medusa.BalancesOf(ps)
	if !b.Nominal.IsZero() || !b.Commission.IsZero() || !b.Settlement.Equal(dec("75")) {
		t.Errorf("ledger balances %+v, want nominal 0, commission 0, settlement 75", b)
	}
	if !got.Balances.Nominal.Equal(b.Nominal) || !got.Balances.Commission.Equal(b.Commission) || !got.Balances.Settlement.Equal(b.Settlement) {
		t.Errorf("stored balances %+v differ from the ledger's %+v", got.Balances, b)
	}
	in := map[medusa.Account]decimal.Decimal{}
	for _, p := range ps {
		in[p.Credit] = in[p.Credit].Add(p.Amount)
	}
	paid := got.TotalPrice()
	// the refund is the buyer account's only credit
	out := in[medusa.AccountRecipient].Add(in[medusa.AccountBank]).Add(b.Settlement).Add(in[medusa.AccountBuyer])
	if !paid.Equal(out) {
		t.Errorf("buyer paid %s, but recipient %s + bank %s + settlement %s + refunded %s = %s",
			paid, in[medusa.AccountRecipient], in[medusa.AccountBank], b.Settlement, in[medusa.AccountBuyer], out)
	}
	if !in[medusa.AccountRecipient].Equal(dec("900")) || !in[medusa.AccountBank].Equal(dec("25")) || !in[medusa.AccountBuyer].Equal(dec("500.50")) {
		t.Errorf("recipient %s bank %s refunded %s", in[medusa.AccountRecipient], in[medusa.AccountBank], in[medusa.AccountBuyer])
	}
}

func TestListOrders(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	r := newRecipient(t, platform1, "r1")
	// o1 oldest; o2 and o3 made in the same instant (the later insert first).
	for i, at := range []time.Time{t0, t0.Add(time.Second), t0.Add(time.Second), t0.Add(-time.Hour)} {
		ext := fmt.Sprintf("o%d", i+1)
		if i == 3 {
			ext = "o0"
		}
		if err := d.CreateOrder(ctx, newOrder(t, r, ext, ext+"a", ext+"b", "", "", at)); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.CreateOrder(ctx, newOrder(t, newRecipient(t, platform2, "r1"), "other", "a", "b", "", "", t0)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		offset, limit int
		want          []string
	}{
		{0, 10, []string{"o3", "o2", "o1", "o0"}},
		{1, 2, []string{"o2", "o1"}},
		{3, 5, []string{"o0"}},
		{4, 5, nil},
		{10, 5, nil},
	} {
		items, total, err := d.ListOrders(ctx, platform1, tc.offset, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.ExtID)
			if it.State != medusa.OrderWaitingUserPayment {
				t.Errorf("%s state %s", it.ExtID, it.State)
			}
		}
		if total != 4 || fmt.Sprint(got) != fmt.Sprint(tc.want) || items == nil {
			t.Errorf("offset %d limit %d: %v total %d, want %v total 4", tc.offset, tc.limit, got, total, tc.want)
		}
	}
	items, total, err := d.ListOrders(ctx, "nobody", 0, 10)
	if err != nil || total != 0 || len(items) != 0 {
		t.Errorf("unknown platform: %v %d %v", items, total, err)
	}
}

func TestFinishedOrders(t *testing.T) {
	d, r, _ := setup(t)
	ctx := context.Background()
	if err := d.CreateOrder(ctx, newOrder(t, r, "o2", "s3", "s4", medusa.DecisionConfirmed, medusa.DecisionRejected, t0)); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateOrder(ctx, newOrder(t, r, "o3", "s5", "s6", medusa.DecisionConfirmed, medusa.DecisionRejected, t0)); err != nil {
		t.Fatal(err)
	}
	// o3 is canceled: it has a finishedAt but is not finished.
	if _, err := d.UpdateOrder(ctx, platform1, "o3", func(o *medusa.Order) error {
		return o.MarkAcquiringPaymentFailed(t0.Add(90 * time.Minute))
	}); err != nil {
		t.Fatal(err)
	}
	end1 := t0.Add(2 * time.Hour)
	end2 := t0.Add(time.Hour).Add(500 * time.Millisecond) // finishes earlier, fraction shorter
	o1 := lifecycle(t, d, "o1", "s1", "s2", t0.Add(time.Minute), end1)
	o2 := lifecycle(t, d, "o2", "s3", "s4", t0.Add(time.Minute), end2)

	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     []*medusa.Order
	}{
		{"both, oldest finish first", t0, t0.Add(3 * time.Hour), []*medusa.Order{o2, o1}},
		{"inclusive bounds", end2, end1, []*medusa.Order{o2, o1}},
		{"from a whole second", end2.Truncate(time.Second), end1, []*medusa.Order{o2, o1}},
		{"one instant", end1, end1, []*medusa.Order{o1}},
		{"just after", end2.Add(time.Nanosecond), end1.Add(-time.Nanosecond), nil},
		{"the canceled order's time", t0.Add(89 * time.Minute), t0.Add(91 * time.Minute), nil},
	} {
		got, err := d.FinishedOrders(ctx, platform1, tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d orders, want %d", tc.name, len(got), len(tc.want))
			continue
		}
		for i := range got {
			assertSame(t, got[i], tc.want[i])
		}
	}
	if got, err := d.FinishedOrders(ctx, platform2, t0, t0.Add(3*time.Hour)); err != nil || len(got) != 0 {
		t.Errorf("other platform: %d orders, %v", len(got), err)
	}
}

func TestCreateOrderStoresNewPostings(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	o := newOrder(t, newRecipient(t, platform1, "r1"), "o1", "s1", "s2", "", "", t0)
	o.NewPostings = []medusa.Posting{{Step: medusa.StepMarkOrderPaidByAcquirer, Debit: medusa.AccountBuyer,
		Credit: medusa.AccountNominal, Amount: dec("1.5"), At: t0}}
	want := o.NewPostings
	if err := d.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	if o.NewPostings != nil {
		t.Error("CreateOrder kept NewPostings")
	}
	ps, err := d.Postings(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, ps, want)
}
