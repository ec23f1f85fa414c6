package medusa

import (
	"fmt"
	"hash/crc32"
	"time"
)

// SbpBanks is the sandbox's list of Faster Payments System participants.
var SbpBanks = []SbpBank{
	{BankID: "100000000284", BankCode: "044525104", Name: "Tochka", NameRus: "Точка", EffectiveDate: "2024-01-01"},
	{BankID: "100000000111", BankCode: "044525225", Name: "Sberbank", NameRus: "Сбербанк", EffectiveDate: "2024-01-01"},
	{BankID: "100000000004", BankCode: "044525974", Name: "T-Bank", NameRus: "Т-Банк", EffectiveDate: "2024-01-01"},
	{BankID: "100000000008", BankCode: "044525593", Name: "Alfa-Bank", NameRus: "Альфа-Банк", EffectiveDate: "2024-01-01"},
	{BankID: "100000000005", BankCode: "044525411", Name: "VTB", NameRus: "ВТБ", EffectiveDate: "2024-01-01"},
}

func sbpBankKnown(bankID string) bool {
	for _, b := range SbpBanks {
		if b.BankID == bankID {
			return true
		}
	}
	return false
}

// NewRecipient checks and builds a recipient, not yet stored. Versions start
// at 0: the portal's update requires `version` ≥ 0 and never returns it on
// read, so the first update of a fresh recipient sends 0.
func NewRecipient(platformID, extID, name string, sbp *SbpData, now time.Time) (*Recipient, error) {
	if extID == "" {
		return nil, Errorf(EValidation, "extId must not be empty")
	}
	if name == "" {
		return nil, Errorf(EValidation, "name must not be empty")
	}
	return &Recipient{PlatformID: platformID, ExtID: extID, Name: name, Sbp: sbp, CreatedAt: now, UpdatedAt: now}, nil
}

// Update replaces the SBP data when version is the current one.
func (r *Recipient) Update(version int64, sbp *SbpData, now time.Time) error {
	if version != r.Version {
		return Errorf(EConflict, "recipient %s has version %d, not %d: read it again and retry", r.ExtID, r.Version, version)
	}
	if sbp != nil {
		merged := SbpData{}
		if r.Sbp != nil {
			merged = *r.Sbp
		}
		if sbp.Phone != "" {
			merged.Phone = sbp.Phone
		}
		if sbp.FirstName != "" {
			merged.FirstName = sbp.FirstName
		}
		if sbp.LastName != "" {
			merged.LastName = sbp.LastName
		}
		if sbp.MiddleName != "" {
			merged.MiddleName = sbp.MiddleName
		}
		r.Sbp = &merged
	}
	r.Version++
	r.UpdatedAt = now
	return nil
}

func (r *Recipient) addPayoutMethod(pm PayoutMethod) error {
	if pm.ExtID == "" {
		return Errorf(EValidation, "payoutMethodExtId must not be empty")
	}
	if r.PayoutMethod(pm.ExtID) != nil {
		return Errorf(EConflict, "payout method %s already exists for recipient %s", pm.ExtID, r.ExtID)
	}
	// Payout methods do not bump Version: the portal never returns the
	// version on read, so it may only move on the calls that return it.
	r.PayoutMethods = append(r.PayoutMethods, pm)
	r.UpdatedAt = pm.CreatedAt
	return nil
}

// AddSbpPayoutMethod adds an SBP payout method to a recipient with SBP data.
func (r *Recipient) AddSbpPayoutMethod(extID, bankID string, now time.Time) error {
	if r.Sbp == nil {
		return Errorf(EValidation, "recipient %s has no Sbp data: add phone, firstName and lastName first", r.ExtID)
	}
	if !sbpBankKnown(bankID) {
		return Errorf(EValidation, "bankId %q is not an SBP participant (see GET /medusa/v1.0/recipients/sbp-banks/)", bankID)
	}
	return r.addPayoutMethod(PayoutMethod{ExtID: extID, Type: PayoutSBP, BankID: bankID, CreatedAt: now})
}

// AddCardPayoutMethod adds a card payout method. In the real API the user
// enters the card on the bank's form; the sandbox binds a test card at once
// so that the method is usable immediately.
func (r *Recipient) AddCardPayoutMethod(extID, redirectURL string, now time.Time) error {
	masked := fmt.Sprintf("220000******%04d", crc32.ChecksumIEEE([]byte(extID))%10000)
	return r.addPayoutMethod(PayoutMethod{ExtID: extID, Type: PayoutCard, MaskedCardNumber: masked, RedirectURL: redirectURL, CreatedAt: now})
}

// DeletePayoutMethod removes a payout method; want limits it to one type
// ("" for any).
func (r *Recipient) DeletePayoutMethod(extID string, want PayoutMethodType, now time.Time) error {
	for i, pm := range r.PayoutMethods {
		if pm.ExtID != extID || (want != "" && pm.Type != want) {
			continue
		}
		r.PayoutMethods = append(r.PayoutMethods[:i], r.PayoutMethods[i+1:]...)
		r.UpdatedAt = now
		return nil
	}
	return Errorf(ENotFound, "payout method %s not found for recipient %s", extID, r.ExtID)
}
