package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/gen/medusaapi"
	"github.com/paysandbox/paysandbox/medusa"
)

// medusaHandlers implements the generated strict interface of the Medusa API.
type medusaHandlers struct {
	ops *medusa.Operations
}

var _ medusaapi.StrictServerInterface = (*medusaHandlers)(nil)

// registerMedusa mounts the Medusa routes on r behind the API's guard.
func registerMedusa(r *mux.Router, a *api, ops *medusa.Operations) {
	sub := a.subrouter(r)
	sub.Use(a.guard)
	strict := medusaapi.NewStrictHandlerWithOptions(&medusaHandlers{ops: ops}, nil, medusaapi.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  func(w http.ResponseWriter, r *http.Request, err error) { a.renderDecodeError(w, r, err) },
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) { a.render(w, r, problemOf(err)) },
	})
	medusaapi.HandlerWithOptions(strict, medusaapi.GorillaServerOptions{
		BaseRouter:       sub,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) { a.renderDecodeError(w, r, err) },
	})
}

func platform(ctx context.Context) string { return info(ctx).platformID }

func links(ctx context.Context) medusaapi.LinkModel {
	return medusaapi.LinkModel{Self: info(ctx).selfURL}
}

var onePage = medusaapi.MetaModel{TotalPages: 1}

// --- recipients ---

func (h *medusaHandlers) CreateRecipient(ctx context.Context, req medusaapi.CreateRecipientRequestObject) (medusaapi.CreateRecipientResponseObject, error) {
	d := req.Body.Data
	extID, err := wireUUID("extId", d.ExtId)
	if err != nil {
		return nil, err
	}
	r, err := h.ops.CreateRecipient(ctx, platform(ctx), extID, d.Name, sbpFromAPI(d.Sbp))
	if err != nil {
		return nil, err
	}
	return medusaapi.CreateRecipient200JSONResponse{Data: medusaapi.CreateRecipientResponse{ExtId: r.ExtID, Name: r.Name}, Links: links(ctx), Meta: onePage}, nil
}

func (h *medusaHandlers) GetRecipient(ctx context.Context, req medusaapi.GetRecipientRequestObject) (medusaapi.GetRecipientResponseObject, error) {
	r, err := h.ops.Recipient(ctx, platform(ctx), req.RecipientExtId.String())
	if err != nil {
		return nil, err
	}
	return medusaapi.GetRecipient200JSONResponse{Data: recipientV1(r), Links: links(ctx), Meta: onePage}, nil
}

func (h *medusaHandlers) GetRecipientV2(ctx context.Context, req medusaapi.GetRecipientV2RequestObject) (medusaapi.GetRecipientV2ResponseObject, error) {
	r, err := h.ops.Recipient(ctx, platform(ctx), req.RecipientExtId.String())
	if err != nil {
		return nil, err
	}
	return medusaapi.GetRecipientV2200JSONResponse{Data: recipientV2(r), Links: links(ctx), Meta: onePage}, nil
}

func (h *medusaHandlers) UpdateRecipient(ctx context.Context, req medusaapi.UpdateRecipientRequestObject) (medusaapi.UpdateRecipientResponseObject, error) {
	d := req.Body.Data
	sbp := &medusa.SbpData{Phone: deref(d.Sbp.Phone), FirstName: deref(d.Sbp.FirstName), LastName: deref(d.Sbp.LastName), MiddleName: deref(d.Sbp.MiddleName)}
	v, err := h.ops.UpdateRecipient(ctx, platform(ctx), req.RecipientExtId.String(), int64(d.Version), sbp)
	if err != nil {
		return nil, err
	}
	return medusaapi.UpdateRecipient200JSONResponse{Data: medusaapi.UpdateRecipientResponse{Version: int(v)}, Links: links(ctx), Meta: onePage}, nil
}

func (h *medusaHandlers) AddCardRecipientPayoutMethod(ctx context.Context, req medusaapi.AddCardRecipientPayoutMethodRequestObject) (medusaapi.AddCardRecipientPayoutMethodResponseObject, error) {
	m := req.Body.Data.CardPayoutMethod
	extID, err := wireUUID("payoutMethodExtId", m.PayoutMethodExtId)
	if err != nil {
		return nil, err
	}
	formURL, err := h.ops.AddCardPayoutMethod(ctx, platform(ctx), req.RecipientExtId.String(), extID, m.RedirectUrl)
	if err != nil {
		return nil, err
	}
	return medusaapi.AddCardRecipientPayoutMethod200JSONResponse{Data: medusaapi.CreateCardPayoutMethodResponse{FormUrl: formURL}, Links: links(ctx), Meta: onePage}, nil
}

func (h *medusaHandlers) AddSbpRecipientPayoutMethod(ctx context.Context, req medusaapi.AddSbpRecipientPayoutMethodRequestObject) (medusaapi.AddSbpRecipientPayoutMethodResponseObject, error) {
	m := req.Body.Data.SbpPayoutMethod
	extID, err := wireUUID("payoutMethodExtId", m.PayoutMethodExtId)
	if err != nil {
		return nil, err
	}
	if err := h.ops.AddSbpPayoutMethod(ctx, platform(ctx), req.RecipientExtId.String(), extID, m.BankId); err != nil {
		return nil, err
	}
	return medusaapi.AddSbpRecipientPayoutMethod200JSONResponse{Data: medusaapi.CreateSbpPayoutMethodResponse{ExtId: extID}, Links: links(ctx), Meta: onePage}, nil
}

func (h *medusaHandlers) DeleteCardRecipientPayoutMethod(ctx context.Context, req medusaapi.DeleteCardRecipientPayoutMethodRequestObject) (medusaapi.DeleteCardRecipientPayoutMethodResponseObject, error) {
	if err := h.ops.DeletePayoutMethod(ctx, platform(ctx), req.RecipientExtId.String(), req.PayoutMethodExtId.String(), medusa.PayoutCard); err != nil {
		return nil, err
	}
	return medusaapi.DeleteCardRecipientPayoutMethod200JSONResponse{Data: medusaapi.DeletePayoutMethodResponse{}, Links: links(ctx), Meta: onePage}, nil
}

func (h *medusaHandlers) DeleteRecipientPayoutMethod(ctx context.Context, req medusaapi.DeleteRecipientPayoutMethodRequestObject) (medusaapi.DeleteRecipientPayoutMethodResponseObject, error) {
	if err := h.ops.DeletePayoutMethod(ctx, platform(ctx), req.RecipientExtId.String(), req.PayoutMethodExtId.String(), ""); err != nil {
		return nil, err
	}
	return medusaapi.DeleteRecipientPayoutMethod200JSONResponse{Data: medusaapi.DeletePayoutMethodResponse{}, Links: links(ctx), Meta: onePage}, nil
}

func (h *medusaHandlers) ListRecipientSbpBanks(ctx context.Context, _ medusaapi.ListRecipientSbpBanksRequestObject) (medusaapi.ListRecipientSbpBanksResponseObject, error) {
	banks := make([]medusaapi.RecipientBankSbpResponseItem, 0, len(medusa.SbpBanks))
	for _, b := range medusa.SbpBanks {
		banks = append(banks, medusaapi.RecipientBankSbpResponseItem{BankId: b.BankID, BankCode: b.BankCode, Name: b.Name, NameRus: b.NameRus, EffectiveDate: b.EffectiveDate})
	}
	return medusaapi.ListRecipientSbpBanks200JSONResponse{Data: medusaapi.ListRecipientBankSbpResponse{Banks: banks}, Links: links(ctx), Meta: onePage}, nil
}

// --- orders ---

func (h *medusaHandlers) CreateOrder(ctx context.Context, req medusaapi.CreateOrderRequestObject) (medusaapi.CreateOrderResponseObject, error) {
	in, err := newOrderV1(req.Body.Data)
	if err != nil {
		return nil, err
	}
	o, err := h.ops.CreateOrder(ctx, platform(ctx), in)
	if err != nil {
		return nil, err
	}
	return medusaapi.CreateOrder200JSONResponse(createdOrder(ctx, o)), nil
}

func (h *medusaHandlers) CreateOrderV2(ctx context.Context, req medusaapi.CreateOrderV2RequestObject) (medusaapi.CreateOrderV2ResponseObject, error) {
	o, err := h.ops.CreateOrder(ctx, platform(ctx), newOrderV2(req.Body.Data))
	if err != nil {
		return nil, err
	}
	return medusaapi.CreateOrderV2200JSONResponse(createdOrder(ctx, o)), nil
}

func (h *medusaHandlers) CreateOrderV3(ctx context.Context, req medusaapi.CreateOrderV3RequestObject) (medusaapi.CreateOrderV3ResponseObject, error) {
	o, err := h.ops.CreateOrder(ctx, platform(ctx), newOrderV3(req.Body.Data))
	if err != nil {
		return nil, err
	}
	return medusaapi.CreateOrderV3200JSONResponse(createdOrder(ctx, o)), nil
}

func createdOrder(ctx context.Context, o *medusa.Order) medusaapi.CreateOrderResponseData {
	return medusaapi.CreateOrderResponseData{Data: medusaapi.CreateOrderResponse{ExtId: o.ExtID, PaymentUrl: o.IncomingPayment.PaymentLink}, Links: links(ctx), Meta: onePage}
}

func (h *medusaHandlers) GetOrder(ctx context.Context, req medusaapi.GetOrderRequestObject) (medusaapi.GetOrderResponseObject, error) {
	o, err := h.ops.Order(ctx, platform(ctx), req.OrderExtId.String())
	if err != nil {
		return nil, err
	}
	return medusaapi.GetOrder200JSONResponse{Data: orderV1(o), Links: links(ctx), Meta: onePage}, nil
}

func (h *medusaHandlers) GetOrderV2(ctx context.Context, req medusaapi.GetOrderV2RequestObject) (medusaapi.GetOrderV2ResponseObject, error) {
	o, err := h.ops.Order(ctx, platform(ctx), req.OrderExtId.String())
	if err != nil {
		return nil, err
	}
	return medusaapi.GetOrderV2200JSONResponse{Data: orderV2(o), Links: links(ctx), Meta: onePage}, nil
}

func (h *medusaHandlers) GetOrderV3(ctx context.Context, req medusaapi.GetOrderV3RequestObject) (medusaapi.GetOrderV3ResponseObject, error) {
	o, err := h.ops.Order(ctx, platform(ctx), req.OrderExtId.String())
	if err != nil {
		return nil, err
	}
	return medusaapi.GetOrderV3200JSONResponse{Data: orderV3(o), Links: links(ctx), Meta: onePage}, nil
}

func (h *medusaHandlers) GetOrderList(ctx context.Context, req medusaapi.GetOrderListRequestObject) (medusaapi.GetOrderListResponseObject, error) {
	p := req.Params
	items, total, err := h.ops.ListOrders(ctx, platform(ctx), p.Offset, p.Limit)
	if err != nil {
		return nil, err
	}
	out := make([]medusaapi.GetOrderListResponseItem, 0, len(items))
	for _, it := range items {
		id := toUUID(it.ExtID)
		out = append(out, medusaapi.GetOrderListResponseItem{ExtId: &id, State: medusaapi.OrderState(it.State)})
	}
	pages := max(1, (total+p.Limit-1)/p.Limit)
	return medusaapi.GetOrderList200JSONResponse{
		Data:  medusaapi.GetOrderListResponse{Items: &out, HasNext: p.Offset+len(items) < total, TotalSize: total},
		Links: links(ctx), Meta: medusaapi.MetaModel{TotalPages: pages},
	}, nil
}

func (h *medusaHandlers) GetOrderReport(ctx context.Context, req medusaapi.GetOrderReportRequestObject) (medusaapi.GetOrderReportResponseObject, error) {
	from, err := parseReportTime("finishedAtGte", req.Params.FinishedAtGte, false)
	if err != nil {
		return nil, err
	}
	to, err := parseReportTime("finishedAtLte", req.Params.FinishedAtLte, true)
	if err != nil {
		return nil, err
	}
	items, err := h.ops.Report(ctx, platform(ctx), from, to)
	if err != nil {
		return nil, err
	}
	out := make([]medusaapi.GetOrderReportResponseItem, 0, len(items))
	for _, it := range items {
		out = append(out, reportItem(it))
	}
	return medusaapi.GetOrderReport200JSONResponse{Data: medusaapi.GetOrderReportResponse{Items: out}, Links: links(ctx), Meta: onePage}, nil
}

// parseReportTime accepts RFC 3339 date-times and plain dates; a plain
// upper bound date includes its whole day.
func parseReportTime(field, s string, endOfDay bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if endOfDay {
			t = t.Add(24*time.Hour - time.Nanosecond)
		}
		return t, nil
	}
	return time.Time{}, medusa.Errorf(medusa.EValidation, "%s: %q is not a date (2006-01-02) or date-time (2006-01-02T15:04:05Z)", field, s)
}

func (h *medusaHandlers) UpdateOrder(ctx context.Context, req medusaapi.UpdateOrderRequestObject) (medusaapi.UpdateOrderResponseObject, error) {
	d := req.Body.Data
	updates := make([]medusa.ServiceUpdate, 0, len(d.Updates))
	for _, u := range d.Updates {
		su := medusa.ServiceUpdate{ServiceExtID: u.ServiceExtId.String(), Price: u.Price}
		if u.PayoutExtId != nil {
			s := u.PayoutExtId.String()
			su.PayoutMethodExtID = &s
		}
		if u.State != nil {
			st := medusa.ServiceState(*u.State)
			su.State = &st
		}
		updates = append(updates, su)
	}
	v, err := h.ops.UpdateOrder(ctx, platform(ctx), req.OrderExtId.String(), int64(d.OrderVersion), updates)
	if err != nil {
		return nil, err
	}
	return medusaapi.UpdateOrder200JSONResponse{Data: medusaapi.UpdateOrderResponse{OrderVersion: int(v)}, Links: links(ctx), Meta: onePage}, nil
}

func (h *medusaHandlers) MakeOrderServicesDecision(ctx context.Context, req medusaapi.MakeOrderServicesDecisionRequestObject) (medusaapi.MakeOrderServicesDecisionResponseObject, error) {
	in := req.Body.Data.Decisions
	decisions := make([]medusa.ServiceDecision, 0, len(in))
	for _, d := range in {
		decisions = append(decisions, medusa.ServiceDecision{ServiceExtID: d.ServiceExtId.String(), Decision: medusa.Decision(d.Decision)})
	}
	o, err := h.ops.Decide(ctx, platform(ctx), req.OrderExtId.String(), decisions)
	if err != nil {
		return nil, err
	}
	out := make([]medusaapi.ServiceDecision, 0, len(decisions))
	for _, d := range decisions {
		out = append(out, medusaapi.ServiceDecision{ServiceExtId: toUUID(d.ServiceExtID), Decision: medusaapi.Decision(o.Service(d.ServiceExtID).Decision)})
	}
	return medusaapi.MakeOrderServicesDecision200JSONResponse{
		Data:  medusaapi.MakeOrderServicesDecisionResponse{OrderExtId: toUUID(o.ExtID), Decisions: &out},
		Links: links(ctx), Meta: onePage,
	}, nil
}

// --- sandbox steps ---

func (h *medusaHandlers) orderStep(ctx context.Context, step string, body *medusaapi.SandboxOrderStepRequest) (medusaapi.SandboxStepResponse, error) {
	id := ""
	if wrapped, err := body.AsSandboxOrderRequestData(); err == nil && wrapped.Data.OrderExtId != "" {
		id = wrapped.Data.OrderExtId
	} else if flat, err := body.AsSandboxOrderRequest(); err == nil {
		id = flat.OrderExtId
	}
	result, err := h.ops.OrderStep(ctx, platform(ctx), step, id)
	return stepResponse(ctx, result), err
}

func (h *medusaHandlers) serviceStep(ctx context.Context, step string, body *medusaapi.SandboxServiceStepRequest) (medusaapi.SandboxStepResponse, error) {
	id := ""
	if wrapped, err := body.AsSandboxServiceRequestData(); err == nil && wrapped.Data.ServiceExtId != "" {
		id = wrapped.Data.ServiceExtId
	} else if flat, err := body.AsSandboxServiceRequest(); err == nil {
		id = flat.ServiceExtId
	}
	result, err := h.ops.ServiceStep(ctx, platform(ctx), step, id)
	return stepResponse(ctx, result), err
}

func stepResponse(ctx context.Context, result string) medusaapi.SandboxStepResponse {
	return medusaapi.SandboxStepResponse{Data: medusaapi.SandboxStepResult{Result: result}, Links: medusaapi.SandboxLinks{Self: info(ctx).selfURL}, Meta: onePage}
}

func (h *medusaHandlers) MarkOrderPaidByAcquirer(ctx context.Context, req medusaapi.MarkOrderPaidByAcquirerRequestObject) (medusaapi.MarkOrderPaidByAcquirerResponseObject, error) {
	res, err := h.orderStep(ctx, medusa.StepMarkOrderPaidByAcquirer, req.Body)
	if err != nil {
		return nil, err
	}
	return medusaapi.MarkOrderPaidByAcquirer200JSONResponse(res), nil
}

func (h *medusaHandlers) MarkOrderAcquiringPaymentFailed(ctx context.Context, req medusaapi.MarkOrderAcquiringPaymentFailedRequestObject) (medusaapi.MarkOrderAcquiringPaymentFailedResponseObject, error) {
	res, err := h.orderStep(ctx, medusa.StepMarkOrderAcquiringPaymentFailed, req.Body)
	if err != nil {
		return nil, err
	}
	return medusaapi.MarkOrderAcquiringPaymentFailed200JSONResponse(res), nil
}

func (h *medusaHandlers) ProceedServicePayoutToRecipient(ctx context.Context, req medusaapi.ProceedServicePayoutToRecipientRequestObject) (medusaapi.ProceedServicePayoutToRecipientResponseObject, error) {
	res, err := h.serviceStep(ctx, medusa.StepProceedServicePayoutToRecipient, req.Body)
	if err != nil {
		return nil, err
	}
	return medusaapi.ProceedServicePayoutToRecipient200JSONResponse(res), nil
}

func (h *medusaHandlers) ProceedServicePayoutCommission(ctx context.Context, req medusaapi.ProceedServicePayoutCommissionRequestObject) (medusaapi.ProceedServicePayoutCommissionResponseObject, error) {
	res, err := h.serviceStep(ctx, medusa.StepProceedServicePayoutCommission, req.Body)
	if err != nil {
		return nil, err
	}
	return medusaapi.ProceedServicePayoutCommission200JSONResponse(res), nil
}

func (h *medusaHandlers) ProceedRefund(ctx context.Context, req medusaapi.ProceedRefundRequestObject) (medusaapi.ProceedRefundResponseObject, error) {
	res, err := h.serviceStep(ctx, medusa.StepProceedRefund, req.Body)
	if err != nil {
		return nil, err
	}
	return medusaapi.ProceedRefund200JSONResponse(res), nil
}

func (h *medusaHandlers) ProceedAcquiringCommission(ctx context.Context, req medusaapi.ProceedAcquiringCommissionRequestObject) (medusaapi.ProceedAcquiringCommissionResponseObject, error) {
	res, err := h.orderStep(ctx, medusa.StepProceedAcquiringCommission, req.Body)
	if err != nil {
		return nil, err
	}
	return medusaapi.ProceedAcquiringCommission200JSONResponse(res), nil
}

func (h *medusaHandlers) MovePlatformCommissionToCommissionAccount(ctx context.Context, req medusaapi.MovePlatformCommissionToCommissionAccountRequestObject) (medusaapi.MovePlatformCommissionToCommissionAccountResponseObject, error) {
	res, err := h.orderStep(ctx, medusa.StepMovePlatformCommissionToCommissionAccount, req.Body)
	if err != nil {
		return nil, err
	}
	return medusaapi.MovePlatformCommissionToCommissionAccount200JSONResponse(res), nil
}

func (h *medusaHandlers) ProceedPlatformCommission(ctx context.Context, req medusaapi.ProceedPlatformCommissionRequestObject) (medusaapi.ProceedPlatformCommissionResponseObject, error) {
	res, err := h.orderStep(ctx, medusa.StepProceedPlatformCommission, req.Body)
	if err != nil {
		return nil, err
	}
	return medusaapi.ProceedPlatformCommission200JSONResponse(res), nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}
