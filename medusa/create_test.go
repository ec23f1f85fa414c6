package medusa

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func svc(ext, price, commission string) NewService {
	return NewService{ExtID: ext, Price: price, Commission: commission, RecipientExtID: recipientSBP, PayoutMethodExtID: pmSBP}
}

func TestBuildOrder(t *testing.T) {
	type wantSvc struct {
		commission, acq, payout, platform string
	}
	tests := []struct {
		name            string
		in              NewOrder
		wantCode        ErrorCode
		wantMsgContains []string
		wantSvcs        []wantSvc
		check           func(t *testing.T, o *Order)
	}{
		{
			name: "v1 orderCommission split in proportion to price",
			in: NewOrder{APIVersion: 1, ExtID: "o1", OrderCommission: ptr(dec("150.00")), Services: []NewService{
				svc("s1", "1000.00", ""), svc("s2", "500.00", ""),
			}},
			wantSvcs: []wantSvc{{"100.00", "20.00", "5.00", "75.00"}, {"50.00", "10.00", "2.50", "37.50"}},
		},
		{
			name: "v1 rounding remainder on the last service",
			in: NewOrder{APIVersion: 1, ExtID: "o1", OrderCommission: ptr(dec("100.00")), Services: []NewService{
				svc("s1", "300.00", ""), svc("s2", "300.00", ""), svc("s3", "300.00", ""),
			}},
			wantSvcs: []wantSvc{{"33.33", "6.00", "1.50", "25.83"}, {"33.33", "6.00", "1.50", "25.83"}, {"33.34", "6.00", "1.50", "25.84"}},
		},
		{
			name: "v1 ignores per-service commissions",
			in: NewOrder{APIVersion: 1, ExtID: "o1", OrderCommission: ptr(dec("10.00")), Services: []NewService{
				svc("s1", "100.00", "99.00"),
			}},
			wantSvcs: []wantSvc{{"10.00", "2.00", "0.50", "7.50"}},
		},
		{
			name: "v1 orderCommission share not covering a service's fees",
			in: NewOrder{APIVersion: 1, ExtID: "o1", OrderCommission: ptr(dec("2.00")), Services: []NewService{
				svc("s1", "100.00", ""),
			}},
			wantCode: EValidation, wantMsgContains: []string{"s1", "does not cover"},
		},
		{
			name: "v2 per-service commission",
			in: NewOrder{APIVersion: 2, ExtID: "o2", Services: []NewService{
				svc("s1", "1000.00", "25.00"), svc("s2", "0.25", "0.01"),
			}},
			wantSvcs: []wantSvc{{"25.00", "20.00", "5.00", "0.00"}, {"0.01", "0.01", "0.00", "0.00"}},
			check: func(t *testing.T, o *Order) {
				if o.APIVersion != 2 {
					t.Errorf("APIVersion = %d", o.APIVersion)
				}
			},
		},
		{
			name: "v3 per-service commission",
			in: NewOrder{APIVersion: 3, ExtID: "o3", Services: []NewService{
				svc("s1", "123.45", "123.45"),
			}},
			wantSvcs: []wantSvc{{"123.45", "2.47", "0.62", "120.36"}},
			check: func(t *testing.T, o *Order) {
				decEq(t, "payout", o.Services[0].Payout(), dec("0"))
			},
		},
		{
			name: "unknown recipient",
			in: NewOrder{APIVersion: 2, ExtID: "o", Services: []NewService{
				{ExtID: "s1", Price: "10.00", Commission: "1.00", RecipientExtID: "nobody", PayoutMethodExtID: pmSBP},
			}},
			wantCode: ENotFound, wantMsgContains: []string{"nobody"},
		},
		{
			name: "unknown payout method",
			in: NewOrder{APIVersion: 2, ExtID: "o", Services: []NewService{
				{ExtID: "s1", Price: "10.00", Commission: "1.00", RecipientExtID: recipientSBP, PayoutMethodExtID: "pm-nope"},
			}},
			wantCode: ENotFound, wantMsgContains: []string{"pm-nope"},
		},
		{
			name: "payout method of another recipient",
			in: NewOrder{APIVersion: 2, ExtID: "o", Services: []NewService{
				{ExtID: "s1", Price: "10.00", Commission: "1.00", RecipientExtID: recipientSBP, PayoutMethodExtID: pmCard},
			}},
			wantCode: ENotFound,
		},
		{
			name: "duplicate service extId",
			in: NewOrder{APIVersion: 2, ExtID: "o", Services: []NewService{
				svc("s1", "10.00", "1.00"), svc("s1", "20.00", "1.00"),
			}},
			wantCode: EValidation, wantMsgContains: []string{"s1", "twice"},
		},
		{
			name:     "price 0.00",
			in:       NewOrder{APIVersion: 2, ExtID: "o", Services: []NewService{svc("s1", "0.00", "0.00")}},
			wantCode: EValidation, wantMsgContains: []string{"s1", "greater than 0"},
		},
		{
			name:     "price malformed",
			in:       NewOrder{APIVersion: 2, ExtID: "o", Services: []NewService{svc("s1", "10,00", "1.00")}},
			wantCode: EValidation, wantMsgContains: []string{"price"},
		},
		{
			name:     "price with three decimals",
			in:       NewOrder{APIVersion: 2, ExtID: "o", Services: []NewService{svc("s1", "10.001", "1.00")}},
			wantCode: EValidation,
		},
		{
			name:     "v2 commission missing",
			in:       NewOrder{APIVersion: 2, ExtID: "o", Services: []NewService{svc("s1", "10.00", "")}},
			wantCode: EValidation, wantMsgContains: []string{"commission"},
		},
		{
			name:     "commission negative",
			in:       NewOrder{APIVersion: 2, ExtID: "o", Services: []NewService{svc("s1", "10.00", "-1.00")}},
			wantCode: EValidation,
		},
		{
			name: "commission not covering fees names the service",
			in: NewOrder{APIVersion: 2, ExtID: "o", Services: []NewService{
				svc("s-ok", "1000.00", "25.00"), svc("s-short", "1000.00", "24.99"),
			}},
			wantCode: EValidation, wantMsgContains: []string{"s-short", "does not cover", "25.00"},
		},
		{
			name:     "commission above price names the service",
			in:       NewOrder{APIVersion: 3, ExtID: "o", Services: []NewService{svc("s-big", "10.00", "10.01")}},
			wantCode: EValidation, wantMsgContains: []string{"s-big", "exceeds"},
		},
		{
			name:     "no services",
			in:       NewOrder{APIVersion: 2, ExtID: "o"},
			wantCode: EValidation,
		},
		{
			name: "invalid start decision",
			in: NewOrder{APIVersion: 2, ExtID: "o", Services: []NewService{
				{ExtID: "s1", Price: "10.00", Commission: "1.00", RecipientExtID: recipientSBP, PayoutMethodExtID: pmSBP, StartDecision: "maybe"},
			}},
			wantCode: EValidation, wantMsgContains: []string{"maybe"},
		},
		{
			name: "start decisions: empty defaults to not_decided, decided ones are stamped",
			in: NewOrder{APIVersion: 2, ExtID: "o", Services: []NewService{
				{ExtID: "s1", Price: "10.00", Commission: "1.00", RecipientExtID: recipientSBP, PayoutMethodExtID: pmSBP},
				{ExtID: "s2", Price: "10.00", Commission: "1.00", RecipientExtID: recipientSBP, PayoutMethodExtID: pmSBP, StartDecision: DecisionConfirmed},
				{ExtID: "s3", Price: "10.00", Commission: "1.00", RecipientExtID: recipientSBP, PayoutMethodExtID: pmSBP, StartDecision: DecisionRejected},
				{ExtID: "s4", Price: "10.00", Commission: "1.00", RecipientExtID: recipientSBP, PayoutMethodExtID: pmSBP, StartDecision: DecisionNotDecided},
			}},
			check: func(t *testing.T, o *Order) {
				want := []Decision{DecisionNotDecided, DecisionConfirmed, DecisionRejected, DecisionNotDecided}
				for i, s := range o.Services {
					if s.Decision != want[i] {
						t.Errorf("%s decision = %s, want %s", s.ExtID, s.Decision, want[i])
					}
					if decided := want[i] != DecisionNotDecided; decided != (s.DecisionMadeAt != nil) {
						t.Errorf("%s DecisionMadeAt = %v", s.ExtID, s.DecisionMadeAt)
					} else if decided && !s.DecisionMadeAt.Equal(t0) {
						t.Errorf("%s DecisionMadeAt = %v, want %v", s.ExtID, s.DecisionMadeAt, t0)
					}
					if s.State != ServiceNotReady {
						t.Errorf("%s state = %s, want not_ready", s.ExtID, s.State)
					}
				}
			},
		},
		{
			name: "order fields, payment link and recipient snapshots",
			in: NewOrder{APIVersion: 3, ExtID: "order-x",
				IncomingPayment: IncomingPayment{Type: "card", Purpose: "buy", TTLMinutes: 30, CardNeeded: true},
				Receipt:         &Receipt{Email: "a@b.c"},
				Services: []NewService{
					{ExtID: "s1", Price: "10.00", Commission: "1.00", RecipientExtID: recipientSBP, PayoutMethodExtID: pmSBP2, Method: "sbp"},
					{ExtID: "s2", Price: "20.00", Commission: "1.00", RecipientExtID: recipientCard, PayoutMethodExtID: pmCard},
				}},
			check: func(t *testing.T, o *Order) {
				if o.PlatformID != testPlatform || o.ExtID != "order-x" || o.APIVersion != 3 {
					t.Errorf("ids = %s %s %d", o.PlatformID, o.ExtID, o.APIVersion)
				}
				if o.State != OrderWaitingUserPayment || o.Version != 1 || !o.CreatedAt.Equal(t0) {
					t.Errorf("state %s version %d created %v", o.State, o.Version, o.CreatedAt)
				}
				if got := o.IncomingPayment.PaymentLink; got != "https://sandbox.test/pay/order-x" {
					t.Errorf("PaymentLink = %q", got)
				}
				if o.IncomingPayment.Purpose != "buy" || o.IncomingPayment.TTLMinutes != 30 || !o.IncomingPayment.CardNeeded {
					t.Errorf("IncomingPayment = %+v", o.IncomingPayment)
				}
				if o.Receipt == nil || o.Receipt.Email != "a@b.c" {
					t.Errorf("Receipt = %+v", o.Receipt)
				}
				if o.PayedAt != nil || o.FinishedAt != nil || o.AcquiringChargedAt != nil || len(o.NewPostings) != 0 {
					t.Error("a new order has payment/finish stamps or postings")
				}
				if !o.Balances.Nominal.IsZero() {
					t.Errorf("balances = %+v", o.Balances)
				}
				r1 := o.Services[0].Recipient
				if (r1 != ServiceRecipient{ExtID: recipientSBP, PayoutMethodExtID: pmSBP2, Method: "sbp", MethodType: PayoutSBP, BankID: "100000000111"}) {
					t.Errorf("s1 recipient = %+v", r1)
				}
				r2 := o.Services[1].Recipient
				if (r2 != ServiceRecipient{ExtID: recipientCard, PayoutMethodExtID: pmCard, MethodType: PayoutCard, MaskedCardNumber: "220000******0000"}) {
					t.Errorf("s2 recipient = %+v", r2)
				}
				decEq(t, "total", o.TotalPrice(), dec("30.00"))
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := BuildOrder(testPlatform, tc.in, DefaultTariff, testRecipients(), testPaymentURL, t0)
			wantCode(t, err, tc.wantCode)
			if tc.wantCode != "" {
				if o != nil {
					t.Errorf("order returned with an error: %+v", o)
				}
				for _, w := range tc.wantMsgContains {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("message %q does not contain %q", err, w)
					}
				}
				return
			}
			if len(tc.wantSvcs) > 0 && len(o.Services) != len(tc.wantSvcs) {
				t.Fatalf("%d services, want %d", len(o.Services), len(tc.wantSvcs))
			}
			for i, w := range tc.wantSvcs {
				s := o.Services[i]
				decEq(t, s.ExtID+" commission", s.Commission, dec(w.commission))
				decEq(t, s.ExtID+" acquiring", s.Fees.Acquiring, dec(w.acq))
				decEq(t, s.ExtID+" payout fee", s.Fees.Payout, dec(w.payout))
				decEq(t, s.ExtID+" platform", s.Fees.Platform, dec(w.platform))
			}
			for _, s := range o.Services {
				if s.State != ServiceNotReady {
					t.Errorf("%s state = %s", s.ExtID, s.State)
				}
			}
			if tc.check != nil {
				tc.check(t, o)
			}
		})
	}
}

// TestSplitOrderCommissionNeverNegative: rounding each of the first shares
// half up can give away more than the total, leaving a negative remainder
// for the last service. A v1 order whose orderCommission covers every fee
// and is below the price is then rejected with a confusing "commission -0.01
// does not cover the bank's fees 0.00".
func TestSplitOrderCommissionNeverNegative(t *testing.T) {
	prices := make([]decimal.Decimal, 7)
	services := make([]NewService, 7)
	for i := range prices {
		prices[i] = dec("0.10")
		services[i] = svc(string(rune('a'+i)), "0.10", "")
	}
	t.Run("SplitOrderCommission", func(t *testing.T) {
		shares := SplitOrderCommission(dec("0.05"), prices)
		for i, s := range shares {
			if s.IsNegative() {
				t.Errorf("share %d = %s is negative (shares %v)", i, s, shares)
			}
		}
	})
	t.Run("BuildOrder v1", func(t *testing.T) {
		// each service: price 0.10, acquiring 0.002 → 0.00, payout 0.0005 → 0.00
		_, err := BuildOrder(testPlatform, NewOrder{APIVersion: 1, ExtID: "tiny", OrderCommission: ptr(dec("0.05")), Services: services},
			DefaultTariff, testRecipients(), testPaymentURL, t0)
		if err != nil {
			t.Errorf("valid v1 order rejected: %v", err)
		}
	})
}
