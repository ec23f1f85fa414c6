package server

import (
	"context"

	"github.com/paysandbox/paysandbox/gen/sandboxapi"
	"github.com/paysandbox/paysandbox/yookassa"
)

// The YooKassa part of the control API: the payer confirms or abandons a payment.

func paymentState(p *yookassa.Payment) sandboxapi.YooKassaPaymentState {
	out := sandboxapi.YooKassaPaymentState{Id: p.ID, Status: sandboxapi.YooKassaPaymentStateStatus(p.Status), Paid: p.Paid}
	if d := p.CancellationDetails; d != nil {
		out.CancellationDetails = &sandboxapi.YooKassaCancellationDetails{Party: d.Party, Reason: d.Reason}
	}
	return out
}

func (c *control) ConfirmYooKassaPayment(ctx context.Context, req sandboxapi.ConfirmYooKassaPaymentRequestObject) (sandboxapi.ConfirmYooKassaPaymentResponseObject, error) {
	p, err := c.yookassa.Confirm(ctx, req.PaymentId)
	if err != nil {
		return nil, err
	}
	return sandboxapi.ConfirmYooKassaPayment200JSONResponse(paymentState(p)), nil
}

func (c *control) CancelYooKassaPayment(ctx context.Context, req sandboxapi.CancelYooKassaPaymentRequestObject) (sandboxapi.CancelYooKassaPaymentResponseObject, error) {
	p, err := c.yookassa.PayerCancel(ctx, req.PaymentId)
	if err != nil {
		return nil, err
	}
	return sandboxapi.CancelYooKassaPayment200JSONResponse(paymentState(p)), nil
}
