package server

import (
	"strings"
	"time"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/shopspring/decimal"

	"github.com/paysandbox/paysandbox/gen/medusaapi"
	"github.com/paysandbox/paysandbox/medusa"
)

// Small converters between the generated wire types and the domain, so a
// spec change stays in this file.

func toUUID(s string) openapi_types.UUID {
	u, _ := uuid.Parse(s) // ids are validated as UUIDs on the way in
	return u
}

// wireUUID checks an id the portal types as a plain string but returns as a
// UUID (recipients, payout methods), and gives its canonical lower-case form.
func wireUUID(field, s string) (string, error) {
	if !uuidPattern.MatchString(s) {
		return "", medusa.Errorf(medusa.EValidation, "%s: %q must be a UUID like 00000000-0000-4000-8000-000000000001", field, s)
	}
	return strings.ToLower(s), nil
}

func ptr[T any](v T) *T { return &v }

func sbpFromAPI(s *medusaapi.RecipientSbpData) *medusa.SbpData {
	if s == nil {
		return nil
	}
	return &medusa.SbpData{Phone: s.Phone, FirstName: s.FirstName, LastName: s.LastName, MiddleName: deref(s.MiddleName)}
}

func sbpToAPI(s *medusa.SbpData) *medusaapi.RecipientSbpData {
	if s == nil {
		return nil
	}
	out := &medusaapi.RecipientSbpData{Phone: s.Phone, FirstName: s.FirstName, LastName: s.LastName}
	if s.MiddleName != "" {
		out.MiddleName = ptr(s.MiddleName)
	}
	return out
}

func recipientV1(r *medusa.Recipient) medusaapi.GetRecipientResponse {
	methods := make([]medusaapi.PayoutMethod, 0, len(r.PayoutMethods))
	for _, pm := range r.PayoutMethods {
		m := medusaapi.PayoutMethod{ExtId: toUUID(pm.ExtID), MethodType: medusaapi.PayoutMethodType(pm.Type)}
		if pm.Type == medusa.PayoutCard {
			m.MaskedCardNumber = ptr(pm.MaskedCardNumber)
		}
		methods = append(methods, m)
	}
	return medusaapi.GetRecipientResponse{
		ExtId: toUUID(r.ExtID), Name: r.Name, Sbp: sbpToAPI(r.Sbp), PayoutMethods: &methods,
		CreatedAt: ptr(r.CreatedAt.Format(time.RFC3339)), UpdatedAt: ptr(r.UpdatedAt.Format(time.RFC3339)),
	}
}

func recipientV2(r *medusa.Recipient) medusaapi.GetRecipientResponseV2 {
	methods := make([]medusaapi.PayoutMethodV2, 0, len(r.PayoutMethods))
	for _, pm := range r.PayoutMethods {
		m := medusaapi.PayoutMethodV2{ExtId: toUUID(pm.ExtID), MethodType: medusaapi.PayoutMethodType(pm.Type)}
		if pm.Type == medusa.PayoutCard {
			_ = m.Details.FromCardPayoutMethodDetails(medusaapi.CardPayoutMethodDetails{MaskedCardNumber: pm.MaskedCardNumber})
		} else {
			_ = m.Details.FromSbpPayoutMethodDetails(medusaapi.SbpPayoutMethodDetails{BankId: pm.BankID})
		}
		methods = append(methods, m)
	}
	return medusaapi.GetRecipientResponseV2{
		ExtId: toUUID(r.ExtID), Name: r.Name, Sbp: sbpToAPI(r.Sbp), PayoutMethods: &methods,
		CreatedAt: ptr(r.CreatedAt.Format(time.RFC3339)), UpdatedAt: ptr(r.UpdatedAt.Format(time.RFC3339)),
	}
}

func receiptFromAPI(r *medusaapi.Receipt) *medusa.Receipt {
	if r == nil {
		return nil
	}
	return &medusa.Receipt{Email: r.Email, Name: r.Name, VatType: string(r.VatType), PaymentMethod: string(r.PaymentMethod), PaymentObject: string(r.PaymentObject)}
}

func incomingFromAPI(p medusaapi.IncomingPayment) medusa.IncomingPayment {
	return medusa.IncomingPayment{Type: p.Type, Purpose: p.Purpose, RedirectURL: p.RedirectUrl, FailRedirectURL: p.RedirectFailUrl,
		ConsumerID: deref(p.ConsumerId), TTLMinutes: p.PaymentUrlTtl}
}

func newOrderV1(d medusaapi.CreateOrderRequest) (medusa.NewOrder, error) {
	commission, err := medusa.ParseAmount("orderCommission", d.OrderCommission)
	if err != nil {
		return medusa.NewOrder{}, err
	}
	in := medusa.NewOrder{APIVersion: 1, ExtID: d.OrderExtId.String(), IncomingPayment: incomingFromAPI(d.IncomingPayment),
		Receipt: receiptFromAPI(d.Receipt), OrderCommission: &commission}
	if in.Receipt == nil && d.ReceiptEmail != nil {
		in.Receipt = &medusa.Receipt{Email: *d.ReceiptEmail} // the deprecated field
	}
	for _, s := range d.Services {
		in.Services = append(in.Services, medusa.NewService{ExtID: s.ExtId.String(), Price: s.Price,
			RecipientExtID: s.Recipient.ExtId.String(), PayoutMethodExtID: s.Recipient.CardExtId.String(),
			Method: s.Recipient.Method, StartDecision: medusa.Decision(s.StartDecision)})
	}
	return in, nil
}

func newOrderV2(d medusaapi.CreateOrderRequestV2) medusa.NewOrder {
	in := medusa.NewOrder{APIVersion: 2, ExtID: d.OrderExtId.String(), IncomingPayment: incomingFromAPI(d.IncomingPayment), Receipt: receiptFromAPI(d.Receipt)}
	for _, s := range d.Services {
		in.Services = append(in.Services, medusa.NewService{ExtID: s.ExtId.String(), Price: s.Price, Commission: s.Commission,
			RecipientExtID: s.Recipient.ExtId.String(), PayoutMethodExtID: s.Recipient.CardExtId.String(),
			Method: s.Recipient.Method, StartDecision: medusa.Decision(s.StartDecision)})
	}
	return in
}

func newOrderV3(d medusaapi.CreateOrderRequestV3) medusa.NewOrder {
	det := d.IncomingPayment.Details
	in := medusa.NewOrder{APIVersion: 3, ExtID: d.ExtId.String(), Receipt: receiptFromAPI(d.Receipt),
		IncomingPayment: medusa.IncomingPayment{Type: d.IncomingPayment.Type, Purpose: det.Purpose, RedirectURL: det.RedirectUrl,
			FailRedirectURL: det.FailRedirectUrl, ConsumerID: deref(det.ConsumerId), TTLMinutes: det.Ttl,
			SbpNeeded: det.SbpNeeded, CardNeeded: det.CardNeeded}}
	for _, s := range d.Services {
		in.Services = append(in.Services, medusa.NewService{ExtID: s.ExtId.String(), Price: s.Price, Commission: s.Commission,
			RecipientExtID: s.Recipient.ExtId.String(), PayoutMethodExtID: s.Recipient.PayoutExtId.String(),
			StartDecision: medusa.Decision(s.StartDecision)})
	}
	return in
}

func money(d decimal.Decimal) string { return medusa.Money(d) }

// orderV1 is the deprecated v1 view: totals and the commission split.
func orderV1(o *medusa.Order) medusaapi.GetOrderResponse {
	commission, fees := o.TotalFees()
	services := make([]medusaapi.GetOrderResponseServiceItem, 0, len(o.Services))
	for _, s := range o.Services {
		method := s.Recipient.Method
		if method == "" {
			method = string(s.Recipient.MethodType)
		}
		services = append(services, medusaapi.GetOrderResponseServiceItem{
			ExtId: s.ExtID, State: medusaapi.ServiceState(s.State), Price: money(s.Price), Decision: ptr(medusaapi.Decision(s.Decision)),
			Recipient: medusaapi.GetOrderResponseRecipient{ExtId: s.Recipient.ExtID, Method: method, CardExtId: ptr(s.Recipient.PayoutMethodExtID)},
		})
	}
	out := medusaapi.GetOrderResponse{
		OrderExtId: ptr(o.ExtID), State: medusaapi.OrderState(o.State), Purpose: o.IncomingPayment.Purpose,
		TotalPrice: money(o.TotalPrice()), TotalAmount: money(o.TotalPrice()),
		OrderCommission: money(commission), MedusaCommission: money(fees.Acquiring.Add(fees.Payout)),
		AcquiringCommission: money(fees.Acquiring), PlatformCommission: money(fees.Platform),
		AcquiringCommissionChargedAt: o.AcquiringChargedAt, PlatformCommissionPaidAt: o.PlatformCommissionPaidAt,
		Services: services,
	}
	if o.Receipt != nil && o.Receipt.Email != "" {
		out.ReceiptEmail = ptr(o.Receipt.Email)
	}
	return out
}

func receiptToAPI(r *medusa.Receipt) *medusaapi.OrderReceiptData {
	if r == nil || r.Name == "" {
		return nil // none, or only v1's deprecated receiptEmail
	}
	return &medusaapi.OrderReceiptData{Email: r.Email, Name: r.Name, VatType: r.VatType, PaymentMethod: r.PaymentMethod, PaymentObject: r.PaymentObject}
}

func serviceRecipient(s medusa.Service) medusaapi.GetOrderServiceRecipient {
	m := medusaapi.GetOrderRecipientMethod{PayoutMethodExtId: toUUID(s.Recipient.PayoutMethodExtID), Type: medusaapi.PayoutMethodType(s.Recipient.MethodType)}
	if s.Recipient.MethodType == medusa.PayoutCard {
		_ = m.Details.FromGetOrderRecipientCardDetails(medusaapi.GetOrderRecipientCardDetails{CardNumberMasked: s.Recipient.MaskedCardNumber})
	} else {
		_ = m.Details.FromGetOrderRecipientSbpDetails(medusaapi.GetOrderRecipientSbpDetails{BankId: s.Recipient.BankID})
	}
	return medusaapi.GetOrderServiceRecipient{ExtId: toUUID(s.Recipient.ExtID), Method: m}
}

// zeroVAT: the bank's commissions are not subject to VAT in the sandbox.
const zeroVAT = "0.00"

func orderV2(o *medusa.Order) medusaapi.GetOrderResponseV2 {
	services := make([]medusaapi.GetOrderV2ServiceItem, 0, len(o.Services))
	for _, s := range o.Services {
		services = append(services, medusaapi.GetOrderV2ServiceItem{
			ExtId: toUUID(s.ExtID), State: medusaapi.ServiceState(s.State), Decision: medusaapi.Decision(s.Decision),
			Price: money(s.Price), Commission: ptr(money(s.Commission)),
			IncomePaymentCommissionSum: ptr(money(s.Fees.Acquiring)), IncomePaymentCommissionSumNds: ptr(zeroVAT),
			OutgoingPayoutCommissionSum: money(s.Fees.Payout), OutgoingPayoutCommissionSumNds: ptr(zeroVAT),
			PlatformCommissionSum: ptr(money(s.Fees.Platform)),
			DecisionMadeAt:        s.DecisionMadeAt, ExecutedAt: s.ExecutedAt, Recipient: serviceRecipient(s),
		})
	}
	p := o.IncomingPayment
	return medusaapi.GetOrderResponseV2{
		ExtId: toUUID(o.ExtID), Version: int(o.Version), State: medusaapi.OrderState(o.State),
		CreatedAt: ptr(o.CreatedAt), PayedAt: o.PayedAt, FinishedAt: o.FinishedAt, Receipt: receiptToAPI(o.Receipt),
		IncomingPayment: medusaapi.GetOrderV2IncomingPayment{Type: p.Type, Details: medusaapi.GetOrderV2IncomingPaymentDetails{
			Purpose: p.Purpose, PaymentLink: ptr(p.PaymentLink), RedirectUrl: ptr(p.RedirectURL), FailRedirectUrl: ptr(p.FailRedirectURL),
			ConsumerId: optional(p.ConsumerID), Ttl: ptr(p.TTLMinutes)}},
		Services: services,
	}
}

// orderV3 is v2's view with the payment link's ttl in seconds, as the
// portal documents for v3 (creation takes minutes).
func orderV3(o *medusa.Order) medusaapi.GetOrderResponseV3 {
	services := make([]medusaapi.GetOrderV3ServiceItem, 0, len(o.Services))
	for _, s := range o.Services {
		services = append(services, medusaapi.GetOrderV3ServiceItem{
			ExtId: toUUID(s.ExtID), State: medusaapi.ServiceState(s.State), Decision: medusaapi.Decision(s.Decision),
			Price: money(s.Price), Commission: ptr(money(s.Commission)),
			IncomePaymentCommissionSum: ptr(money(s.Fees.Acquiring)), IncomePaymentCommissionSumNds: ptr(zeroVAT),
			OutgoingPayoutCommissionSum: ptr(money(s.Fees.Payout)), OutgoingPayoutCommissionSumNds: ptr(zeroVAT),
			PlatformCommissionSum: ptr(money(s.Fees.Platform)),
			DecisionMadeAt:        s.DecisionMadeAt, ExecutedAt: s.ExecutedAt, Recipient: serviceRecipient(s),
		})
	}
	p := o.IncomingPayment
	return medusaapi.GetOrderResponseV3{
		ExtId: toUUID(o.ExtID), Version: int(o.Version), State: medusaapi.OrderState(o.State),
		CreatedAt: ptr(o.CreatedAt), PayedAt: o.PayedAt, FinishedAt: o.FinishedAt, Receipt: receiptToAPI(o.Receipt),
		IncomingPayment: medusaapi.GetOrderV3IncomingPayment{Type: p.Type, Details: medusaapi.GetOrderV3IncomingPaymentDetails{
			Purpose: p.Purpose, PaymentLink: ptr(p.PaymentLink), RedirectUrl: ptr(p.RedirectURL), FailRedirectUrl: ptr(p.FailRedirectURL),
			ConsumerId: optional(p.ConsumerID), Ttl: ptr(p.TTLMinutes * 60)}},
		Services: services,
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func reportItem(it medusa.ReportItem) medusaapi.GetOrderReportResponseItem {
	return medusaapi.GetOrderReportResponseItem{
		OrderExtId: toUUID(it.OrderExtID), OrderCreatedAt: it.OrderCreatedAt.Format(time.RFC3339),
		RefillSum: money(it.RefillSum), RefundSum: money(it.RefundSum), PayoutSum: money(it.PayoutSum),
		CompensationSum: money(it.CompensationSum), IncomePaymentCommissionSum: money(it.IncomePaymentCommissionSum),
		OutgoingPayoutCommissionSum: money(it.OutgoingPayoutCommissionSum), PlatformCommissionSum: money(it.PlatformCommissionSum),
	}
}
