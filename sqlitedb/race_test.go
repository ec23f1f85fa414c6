package sqlitedb

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/medusa"
)

const racers = 50

// race runs fn from racers goroutines released at once and returns their errors.
func race(fn func() error) []error {
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, racers)
	)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn()
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// exactlyOneWins checks that one racer succeeded and every other one lost
// with EInvalidState (not a leaked "database is locked").
func exactlyOneWins(t *testing.T, errs []error) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		var me *medusa.Error
		switch {
		case err == nil:
			wins++
		case errors.As(err, &me) && me.Code == medusa.EInvalidState:
		default:
			t.Errorf("a racer failed with %v (%T)", err, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d racers won, want exactly 1", wins)
	}
}

func stepPostings(t *testing.T, d *DB, step string) int {
	t.Helper()
	ps, err := d.Postings(context.Background(), platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range ps {
		if p.Step == step {
			n++
		}
	}
	return n
}

func TestRaceMarkPaid(t *testing.T) {
	d, _, o := setup(t)
	ctx := context.Background()
	errs := race(func() error {
		_, err := d.UpdateOrder(ctx, platform1, "o1", func(o *medusa.Order) error {
			time.Sleep(time.Millisecond) // hold the transaction so that the racers overlap
			return o.MarkPaidByAcquirer(time.Now().UTC())
		})
		return err
	})
	exactlyOneWins(t, errs)
	if n := stepPostings(t, d, medusa.StepMarkOrderPaidByAcquirer); n != 1 {
		t.Errorf("%d postings for the payment, want 1", n)
	}
	got, err := d.Order(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != o.Version+1 || !got.Balances.Nominal.Equal(o.TotalPrice()) {
		t.Errorf("version %d nominal %s after the race", got.Version, got.Balances.Nominal)
	}
}

func TestRacePayoutToRecipient(t *testing.T) {
	d, _, o := setup(t)
	ctx := context.Background()
	if _, err := d.UpdateOrder(ctx, platform1, "o1", func(o *medusa.Order) error { return o.MarkPaidByAcquirer(t0) }); err != nil {
		t.Fatal(err)
	}
	errs := race(func() error {
		_, err := d.UpdateOrder(ctx, platform1, "o1", func(o *medusa.Order) error {
			time.Sleep(time.Millisecond) // hold the transaction so that the racers overlap
			return o.PayoutToRecipient("s1", time.Now().UTC())
		})
		return err
	})
	exactlyOneWins(t, errs)
	if n := stepPostings(t, d, medusa.StepProceedServicePayoutToRecipient); n != 1 {
		t.Errorf("%d postings for the payout, want 1", n)
	}
	got, err := d.Order(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	want := o.TotalPrice().Sub(o.Services[0].Payout())
	if got.Version != o.Version+2 || !got.Balances.Nominal.Equal(want) || got.Service("s1").State != medusa.ServiceExecuting {
		t.Errorf("version %d nominal %s (want %s) s1 %s", got.Version, got.Balances.Nominal, want, got.Service("s1").State)
	}
}

// TestRaceWithReadsInsideUpdate is the server's update-order path: fn reads
// the recipient through the store while it holds the write transaction, and
// many such updates and plain reads run at once. None may fail or wait for
// busy_timeout.
func TestRaceWithReadsInsideUpdate(t *testing.T) {
	d, _, _ := setup(t)
	ctx := context.Background()
	lookup := func(ext string) (*medusa.Recipient, error) { return d.Recipient(ctx, platform1, ext) }
	began := time.Now()
	errs := race(func() error {
		if _, err := d.Order(ctx, platform1, "o1"); err != nil {
			return err
		}
		_, err := d.UpdateOrder(ctx, platform1, "o1", func(o *medusa.Order) error {
			card := "pm-card"
			return o.Update(o.Version, []medusa.ServiceUpdate{{ServiceExtID: "s1", PayoutMethodExtID: &card}},
				medusa.DefaultTariff, lookup, time.Now().UTC())
		})
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Errorf("update failed: %v", err)
		}
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("%d updates took %s: writers waited on busy_timeout", racers, took)
	}
}
