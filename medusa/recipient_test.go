package medusa

import (
	"reflect"
	"regexp"
	"testing"
)

func cloneRecipient(r *Recipient) *Recipient {
	c := *r
	if r.Sbp != nil {
		s := *r.Sbp
		c.Sbp = &s
	}
	if r.PayoutMethods != nil {
		c.PayoutMethods = append([]PayoutMethod(nil), r.PayoutMethods...)
	}
	return &c
}

// newTestRecipient is a fresh recipient with SBP data and one SBP and one
// card payout method (version 2 after the two additions).
func newTestRecipient(t *testing.T) *Recipient {
	t.Helper()
	r, err := NewRecipient(testPlatform, "r1", "Seller", &SbpData{Phone: "+79001234567", FirstName: "Anna", LastName: "Ivanova"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddSbpPayoutMethod("pm-1", "100000000284", at(1)); err != nil {
		t.Fatal(err)
	}
	if err := r.AddCardPayoutMethod("pm-2", "https://example.com/back", at(2)); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNewRecipient(t *testing.T) {
	tests := []struct {
		name, ext, rname string
		want             ErrorCode
	}{
		{"ok", "r1", "Seller", ok},
		{"empty extId", "", "Seller", EValidation},
		{"empty name", "r1", "", EValidation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewRecipient(testPlatform, tc.ext, tc.rname, nil, t0)
			wantCode(t, err, tc.want)
			if tc.want != ok {
				if r != nil {
					t.Errorf("recipient returned with an error")
				}
				return
			}
			if r.Version != 0 || r.PlatformID != testPlatform || r.ExtID != "r1" || r.Name != "Seller" ||
				!r.CreatedAt.Equal(t0) || !r.UpdatedAt.Equal(t0) || len(r.PayoutMethods) != 0 || r.Sbp != nil {
				t.Errorf("recipient = %+v", r)
			}
		})
	}
}

func TestRecipientUpdate(t *testing.T) {
	tests := []struct {
		name    string
		start   *SbpData
		version int64
		sbp     *SbpData
		want    ErrorCode
		wantSbp *SbpData
	}{
		{name: "stale version", start: &SbpData{Phone: "+7900", FirstName: "A", LastName: "B"}, version: 5, sbp: &SbpData{Phone: "+7911"}, want: EConflict},
		{name: "future version", start: nil, version: 1, sbp: &SbpData{Phone: "+7911"}, want: EConflict},
		{
			name: "merge keeps the fields not sent", start: &SbpData{Phone: "+7900", FirstName: "A", LastName: "B", MiddleName: "C"},
			sbp:     &SbpData{FirstName: "Z"},
			wantSbp: &SbpData{Phone: "+7900", FirstName: "Z", LastName: "B", MiddleName: "C"},
		},
		{
			name: "all fields replaced", start: &SbpData{Phone: "+7900", FirstName: "A", LastName: "B"},
			sbp:     &SbpData{Phone: "+7911", FirstName: "X", LastName: "Y", MiddleName: "M"},
			wantSbp: &SbpData{Phone: "+7911", FirstName: "X", LastName: "Y", MiddleName: "M"},
		},
		{
			name: "first SBP data", start: nil,
			sbp:     &SbpData{Phone: "+7922", LastName: "L"},
			wantSbp: &SbpData{Phone: "+7922", LastName: "L"},
		},
		{
			name: "no SBP data only bumps the version", start: &SbpData{Phone: "+7900"},
			wantSbp: &SbpData{Phone: "+7900"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewRecipient(testPlatform, "r1", "Seller", tc.start, t0)
			if err != nil {
				t.Fatal(err)
			}
			before := cloneRecipient(r)
			sent := tc.sbp
			var sentCopy *SbpData
			if sent != nil {
				c := *sent
				sentCopy = &c
			}
			err = r.Update(tc.version, tc.sbp, at(5))
			wantCode(t, err, tc.want)
			if tc.want != ok {
				if !reflect.DeepEqual(before, r) {
					t.Errorf("recipient changed: %+v → %+v", before, r)
				}
				return
			}
			if r.Version != before.Version+1 {
				t.Errorf("version = %d, want %d", r.Version, before.Version+1)
			}
			if !r.UpdatedAt.Equal(at(5)) || !r.CreatedAt.Equal(t0) {
				t.Errorf("UpdatedAt %v CreatedAt %v", r.UpdatedAt, r.CreatedAt)
			}
			if !reflect.DeepEqual(r.Sbp, tc.wantSbp) {
				t.Errorf("Sbp = %+v, want %+v", r.Sbp, tc.wantSbp)
			}
			if !reflect.DeepEqual(sent, sentCopy) {
				t.Errorf("the request's SbpData was modified: %+v", sent)
			}
			// A second update needs the new version.
			wantCode(t, r.Update(before.Version, nil, at(6)), EConflict)
			wantCode(t, r.Update(r.Version, nil, at(6)), ok)
		})
	}
}

func TestAddSbpPayoutMethod(t *testing.T) {
	tests := []struct {
		name   string
		noSbp  bool
		ext    string
		bankID string
		want   ErrorCode
	}{
		{name: "ok", ext: "pm-new", bankID: "100000000111"},
		{name: "every listed bank is accepted", ext: "pm-new", bankID: SbpBanks[len(SbpBanks)-1].BankID},
		{name: "unknown bank", ext: "pm-new", bankID: "999999999999", want: EValidation},
		{name: "empty bank", ext: "pm-new", bankID: "", want: EValidation},
		{name: "no SBP data", noSbp: true, ext: "pm-new", bankID: "100000000111", want: EValidation},
		{name: "duplicate ext id", ext: "pm-1", bankID: "100000000111", want: EConflict},
		{name: "duplicate ext id of a card method", ext: "pm-2", bankID: "100000000111", want: EConflict},
		{name: "empty ext id", ext: "", bankID: "100000000111", want: EValidation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newTestRecipient(t)
			if tc.noSbp {
				r.Sbp = nil
			}
			before := cloneRecipient(r)
			err := r.AddSbpPayoutMethod(tc.ext, tc.bankID, at(9))
			wantCode(t, err, tc.want)
			if tc.want != ok {
				if !reflect.DeepEqual(before, r) {
					t.Errorf("recipient changed: %+v → %+v", before, r)
				}
				return
			}
			if r.Version != before.Version || !r.UpdatedAt.Equal(at(9)) {
				t.Errorf("version %d updated %v", r.Version, r.UpdatedAt)
			}
			pm := r.PayoutMethod(tc.ext)
			if pm == nil || pm.Type != PayoutSBP || pm.BankID != tc.bankID || !pm.CreatedAt.Equal(at(9)) || pm.MaskedCardNumber != "" {
				t.Errorf("payout method = %+v", pm)
			}
			if len(r.PayoutMethods) != len(before.PayoutMethods)+1 {
				t.Errorf("%d payout methods", len(r.PayoutMethods))
			}
		})
	}
}

func TestAddCardPayoutMethod(t *testing.T) {
	masked := regexp.MustCompile(`^220000\*{6}[0-9]{4}$`)
	r := newTestRecipient(t)
	r.Sbp = nil // a card needs no SBP data
	v := r.Version
	if err := r.AddCardPayoutMethod("card-2", "https://example.com/ret", at(10)); err != nil {
		t.Fatal(err)
	}
	pm := r.PayoutMethod("card-2")
	if pm == nil || pm.Type != PayoutCard || pm.RedirectURL != "https://example.com/ret" || pm.BankID != "" || !pm.CreatedAt.Equal(at(10)) {
		t.Fatalf("payout method = %+v", pm)
	}
	if !masked.MatchString(pm.MaskedCardNumber) {
		t.Errorf("MaskedCardNumber = %q", pm.MaskedCardNumber)
	}
	if first := r.PayoutMethod("pm-2"); first.MaskedCardNumber == pm.MaskedCardNumber {
		t.Errorf("two cards share the masked number %q", pm.MaskedCardNumber)
	}
	if r.Version != v || !r.UpdatedAt.Equal(at(10)) {
		t.Errorf("version %d updated %v", r.Version, r.UpdatedAt)
	}
	before := cloneRecipient(r)
	wantCode(t, r.AddCardPayoutMethod("card-2", "", at(11)), EConflict)
	wantCode(t, r.AddCardPayoutMethod("pm-1", "", at(11)), EConflict)
	wantCode(t, r.AddCardPayoutMethod("", "", at(11)), EValidation)
	if !reflect.DeepEqual(before, r) {
		t.Errorf("recipient changed by rejected additions")
	}
}

func TestDeletePayoutMethod(t *testing.T) {
	tests := []struct {
		name     string
		ext      string
		typ      PayoutMethodType
		want     ErrorCode
		wantLeft []string
	}{
		{name: "SBP by SBP", ext: "pm-1", typ: PayoutSBP, wantLeft: []string{"pm-2"}},
		{name: "card by card", ext: "pm-2", typ: PayoutCard, wantLeft: []string{"pm-1"}},
		{name: "any type", ext: "pm-2", typ: "", wantLeft: []string{"pm-1"}},
		{name: "SBP method by card", ext: "pm-1", typ: PayoutCard, want: ENotFound},
		{name: "card method by SBP", ext: "pm-2", typ: PayoutSBP, want: ENotFound},
		{name: "unknown", ext: "pm-9", typ: "", want: ENotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newTestRecipient(t)
			before := cloneRecipient(r)
			err := r.DeletePayoutMethod(tc.ext, tc.typ, at(20))
			wantCode(t, err, tc.want)
			if tc.want != ok {
				if !reflect.DeepEqual(before, r) {
					t.Errorf("recipient changed: %+v → %+v", before, r)
				}
				return
			}
			var left []string
			for _, pm := range r.PayoutMethods {
				left = append(left, pm.ExtID)
			}
			if !reflect.DeepEqual(left, tc.wantLeft) {
				t.Errorf("left %v, want %v", left, tc.wantLeft)
			}
			if r.PayoutMethod(tc.ext) != nil {
				t.Errorf("%s still there", tc.ext)
			}
			if r.Version != before.Version || !r.UpdatedAt.Equal(at(20)) {
				t.Errorf("version %d updated %v", r.Version, r.UpdatedAt)
			}
			wantCode(t, r.DeletePayoutMethod(tc.ext, tc.typ, at(21)), ENotFound)
		})
	}
}

func TestSbpBanks(t *testing.T) {
	seen := map[string]bool{}
	for _, b := range SbpBanks {
		if b.BankID == "" || b.Name == "" || seen[b.BankID] {
			t.Errorf("bad or duplicate bank %+v", b)
		}
		seen[b.BankID] = true
		if !sbpBankKnown(b.BankID) {
			t.Errorf("listed bank %s not known", b.BankID)
		}
	}
	if !seen[DefaultSbpBankID] {
		t.Errorf("default bank %s not listed", DefaultSbpBankID)
	}
}
