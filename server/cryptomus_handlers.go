package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/gen/cryptomusapi"
)

// cryptomusHandlers implements the generated strict interface of the
// Cryptomus API. Each handler parses the raw body with the rules (which
// decide Laravel's semantics: trimming, blanks, the forms of is_subtract),
// never the generated body, and converts the result in small functions.
type cryptomusHandlers struct {
	ops *cryptomus.Operations
}

var _ cryptomusapi.StrictServerInterface = (*cryptomusHandlers)(nil)

func (h *cryptomusHandlers) CreateInvoice(ctx context.Context, _ cryptomusapi.CreateInvoiceRequestObject) (cryptomusapi.CreateInvoiceResponseObject, error) {
	m, body, err := cryptomusCaller(ctx)
	if err != nil {
		return nil, err
	}
	req, err := cryptomus.ParseInvoiceRequest(body)
	if err != nil {
		return nil, err
	}
	inv, _, err := h.ops.CreateInvoice(ctx, m, req)
	if err != nil {
		return nil, err
	}
	return cryptomusReply{cryptomusapi.CreateInvoice200JSONResponse{State: cryptomusapi.InvoiceResponseStateN0, Result: h.invoice(inv)}}, nil
}

func (h *cryptomusHandlers) PaymentInfo(ctx context.Context, _ cryptomusapi.PaymentInfoRequestObject) (cryptomusapi.PaymentInfoResponseObject, error) {
	m, body, err := cryptomusCaller(ctx)
	if err != nil {
		return nil, err
	}
	req, err := cryptomus.ParseInfoRequest(body)
	if err != nil {
		return nil, err
	}
	inv, err := h.ops.Info(ctx, m, req)
	if err != nil {
		return nil, err
	}
	return cryptomusReply{cryptomusapi.PaymentInfo200JSONResponse{State: cryptomusapi.InvoiceResponseStateN0, Result: h.invoice(inv)}}, nil
}

func (h *cryptomusHandlers) Refund(ctx context.Context, _ cryptomusapi.RefundRequestObject) (cryptomusapi.RefundResponseObject, error) {
	m, body, err := cryptomusCaller(ctx)
	if err != nil {
		return nil, err
	}
	req, err := cryptomus.ParseRefund(body)
	if err != nil {
		return nil, err
	}
	if err := h.ops.Refund(ctx, m, req); err != nil {
		return nil, err
	}
	// result is [] as the seed shows, never null
	return cryptomusReply{cryptomusapi.Refund200JSONResponse{State: cryptomusapi.RefundResponseStateN0, Result: []map[string]any{}}}, nil
}

// serve runs an operation's handler outside the generated decoding, for a
// request the rules accept but the generated types do not (see
// registerCryptomus); the handler reads the raw body anyway.
func (h *cryptomusHandlers) serve(w http.ResponseWriter, r *http.Request, a *api, op string) {
	ctx := r.Context()
	var err error
	switch op {
	case "createInvoice":
		var res cryptomusapi.CreateInvoiceResponseObject
		if res, err = h.CreateInvoice(ctx, cryptomusapi.CreateInvoiceRequestObject{}); err == nil {
			err = res.VisitCreateInvoiceResponse(w)
		}
	case "paymentInfo":
		var res cryptomusapi.PaymentInfoResponseObject
		if res, err = h.PaymentInfo(ctx, cryptomusapi.PaymentInfoRequestObject{}); err == nil {
			err = res.VisitPaymentInfoResponse(w)
		}
	case "refund":
		var res cryptomusapi.RefundResponseObject
		if res, err = h.Refund(ctx, cryptomusapi.RefundRequestObject{}); err == nil {
			err = res.VisitRefundResponse(w)
		}
	default:
		err = fmt.Errorf("cryptomus: no handler for operation %q", op)
	}
	if err != nil {
		a.render(w, r, problemOf(err))
	}
}

// moscow is the offset Cryptomus writes its times in (+03:00, no DST).
var moscow = time.FixedZone("MSK", 3*60*60)

// cryptomusTime formats a time as Cryptomus does: 2023-05-26T13:17:35+03:00.
func cryptomusTime(t time.Time) string { return t.In(moscow).Format("2006-01-02T15:04:05-07:00") }

// nullable is nil for "" (the wire's null), else the string.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// invoice converts a domain invoice to the wire's: every key present,
// null where it has no value yet, every amount a decimal string with the
// decimals it was given.
func (h *cryptomusHandlers) invoice(inv *cryptomus.Invoice) cryptomusapi.Invoice {
	status := cryptomusapi.InvoiceStatus(inv.Status)
	out := cryptomusapi.Invoice{
		Uuid:           toUUID(inv.UUID),
		OrderId:        inv.OrderID,
		Amount:         cryptomus.FormatAmount(inv.Amount),
		Discount:       "0.00",
		Currency:       inv.Currency,
		Network:        nullable(inv.Network),
		Address:        nullable(inv.Address),
		From:           nullable(inv.From),
		Txid:           nullable(inv.TxID),
		PayerCurrency:  nullable(inv.PayerCurrency),
		PaymentStatus:  status,
		Status:         status,
		Url:            h.ops.PaymentURL(inv.UUID),
		ExpiredAt:      inv.ExpiredAt.Unix(),
		IsFinal:        inv.Status.IsFinal(),
		AdditionalData: nullable(inv.AdditionalData),
		CreatedAt:      cryptomusTime(inv.CreatedAt),
		UpdatedAt:      cryptomusTime(inv.UpdatedAt),
	}
	if inv.PaymentAmount != nil {
		paid := cryptomus.FormatAmount(*inv.PaymentAmount)
		out.PaymentAmount, out.PayerAmount = &paid, &paid
	}
	if inv.MerchantAmount != nil {
		out.MerchantAmount = ptr(cryptomus.FormatAmount(*inv.MerchantAmount))
	}
	return out
}
