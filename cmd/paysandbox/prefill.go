package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/sqlitedb"
)

// prefill gives the database at path n more Medusa orders, made the way the
// server makes them (medusa.Operations on sqlitedb), so that the bench can
// show what a big database costs: every order has two services, and every
// tenth is taken through its whole lifecycle (seven steps, seven postings).
func prefill(ctx context.Context, path string, n int, progress io.Writer) error {
	db, err := sqlitedb.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	ops := &medusa.Operations{Store: db, Tariff: medusa.DefaultTariff, BaseURL: "http://localhost:8080"}
	if err := ops.EnsureDefaults(ctx); err != nil {
		return err
	}
	run := fmt.Sprintf("%x", time.Now().UnixNano()) // ids unique across prefills of one file
	var next, done atomic.Int64
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	start := time.Now()
	// Many writers at once, so that the group commit shares each
	// transaction among many orders.
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || ctx.Err() != nil {
					return
				}
				if err := prefillOrder(ctx, ops, fmt.Sprintf("prefill-%s-%d", run, i), i%10 == 0); err != nil {
					select {
					case errc <- err:
					default:
					}
					return
				}
				if d := done.Add(1); d%100000 == 0 {
					fmt.Fprintf(progress, "prefill: %d orders (%.0f/s)\n", d, float64(d)/time.Since(start).Seconds())
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errc:
		return fmt.Errorf("prefill: %w", err)
	default:
	}
	fmt.Fprintf(progress, "prefill: %d orders in %s\n", done.Load(), time.Since(start).Round(time.Second))
	return ctx.Err()
}

func prefillOrder(ctx context.Context, ops *medusa.Operations, id string, whole bool) error {
	a, b := id+"-a", id+"-b"
	in := medusa.NewOrder{
		APIVersion: 3,
		ExtID:      id,
		IncomingPayment: medusa.IncomingPayment{Type: "acquiring", Purpose: "prefill",
			RedirectURL: "https://shop.example/ok", FailRedirectURL: "https://shop.example/fail",
			TTLMinutes: 60, SbpNeeded: true, CardNeeded: true},
		Services: []medusa.NewService{
			{ExtID: a, Price: "1000.00", Commission: "100.00", RecipientExtID: medusa.DefaultRecipientExtID,
				PayoutMethodExtID: medusa.DefaultPayoutMethodExtID, StartDecision: medusa.DecisionConfirmed},
			{ExtID: b, Price: "500.00", Commission: "50.00", RecipientExtID: medusa.DefaultRecipientExtID,
				PayoutMethodExtID: medusa.DefaultPayoutMethodExtID, StartDecision: medusa.DecisionRejected},
		},
	}
	if _, err := ops.CreateOrder(ctx, medusa.DefaultPlatformID, in); err != nil {
		return err
	}
	if !whole {
		return nil
	}
	for _, s := range []struct{ step, service string }{
		{"mark_order_paid_by_acquirer", ""},
		{"proceed_service_payout_to_recipient", a},
		{"proceed_service_payout_commission", a},
		{"proceed_refund", b},
		{"proceed_acquiring_commission", ""},
		{"move_platform_commission_to_commission_account", ""},
		{"proceed_platform_commission", ""},
	} {
		var err error
		if s.service == "" {
			_, err = ops.OrderStep(ctx, medusa.DefaultPlatformID, s.step, id)
		} else {
			_, err = ops.ServiceStep(ctx, medusa.DefaultPlatformID, s.step, s.service)
		}
		if err != nil {
			return fmt.Errorf("order %s, %s: %w", id, s.step, err)
		}
	}
	return nil
}
