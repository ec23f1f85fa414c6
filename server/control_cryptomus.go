package server

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/gen/sandboxapi"
)

// The Cryptomus part of the control API: merchants and the payer's side of invoices.

func merchantView(m *cryptomus.Merchant) sandboxapi.CryptomusMerchant {
	wallets := make([]sandboxapi.CryptomusWallet, 0, len(m.Wallets))
	for _, w := range m.Wallets {
		wallets = append(wallets, sandboxapi.CryptomusWallet{Currency: sandboxapi.CryptomusCurrency(w.Currency), Balance: cryptomus.FormatAmount(w.Balance)})
	}
	return sandboxapi.CryptomusMerchant{Merchant: toUUID(m.UUID), PaymentsBlocked: m.PaymentsBlocked, HasPayoutKey: m.PayoutKey != "", Wallets: wallets}
}

func currencies(in *[]sandboxapi.CryptomusCurrency) *[]string {
	if in == nil {
		return nil
	}
	out := make([]string, 0, len(*in))
	for _, c := range *in {
		out = append(out, string(c))
	}
	return &out
}

func (c *control) CreateCryptomusMerchant(ctx context.Context, req sandboxapi.CreateCryptomusMerchantRequestObject) (sandboxapi.CreateCryptomusMerchantResponseObject, error) {
	b := req.Body
	in := cryptomus.NewMerchant{PaymentKey: b.PaymentKey, PayoutKey: deref(b.PayoutKey)}
	if b.Merchant != nil {
		in.UUID = b.Merchant.String()
	}
	if b.PaymentsBlocked != nil {
		in.PaymentsBlocked = *b.PaymentsBlocked
	}
	if w := currencies(b.Wallets); w != nil {
		in.Wallets = *w
	}
	m, err := c.cryptomus.CreateMerchant(ctx, in)
	if err != nil {
		return nil, err
	}
	return sandboxapi.CreateCryptomusMerchant201JSONResponse(merchantView(m)), nil
}

func (c *control) GetCryptomusMerchant(ctx context.Context, req sandboxapi.GetCryptomusMerchantRequestObject) (sandboxapi.GetCryptomusMerchantResponseObject, error) {
	m, err := c.cryptomus.Merchant(ctx, req.Merchant.String())
	if err != nil {
		return nil, err
	}
	return sandboxapi.GetCryptomusMerchant200JSONResponse(merchantView(m)), nil
}

func (c *control) UpdateCryptomusMerchant(ctx context.Context, req sandboxapi.UpdateCryptomusMerchantRequestObject) (sandboxapi.UpdateCryptomusMerchantResponseObject, error) {
	m, err := c.cryptomus.UpdateMerchant(ctx, req.Merchant.String(), req.Body.PaymentsBlocked, currencies(req.Body.Wallets))
	if err != nil {
		return nil, err
	}
	return sandboxapi.UpdateCryptomusMerchant200JSONResponse(merchantView(m)), nil
}

func (c *control) SetCryptomusInvoiceStatus(ctx context.Context, req sandboxapi.SetCryptomusInvoiceStatusRequestObject) (sandboxapi.SetCryptomusInvoiceStatusResponseObject, error) {
	b := req.Body
	var amount *decimal.Decimal
	if b.PaymentAmount != nil {
		d, err := cryptomus.ParseAmount(*b.PaymentAmount)
		if err != nil {
			return nil, cryptomus.Errorf(cryptomus.EValidation, "paymentAmount %q is not a positive decimal amount", *b.PaymentAmount)
		}
		amount = &d
	}
	inv, err := c.cryptomus.SetInvoiceStatus(ctx, req.Uuid.String(), cryptomus.Status(b.Status), amount, deref(b.Txid))
	if err != nil {
		return nil, err
	}
	out := sandboxapi.CryptomusInvoiceStatus{Uuid: toUUID(inv.UUID), OrderId: inv.OrderID,
		Status: sandboxapi.CryptomusInvoiceStatusStatus(inv.Status), IsFinal: inv.Status.IsFinal()}
	if inv.PaymentAmount != nil {
		out.PaymentAmount = ptr(cryptomus.FormatAmount(*inv.PaymentAmount))
	}
	return sandboxapi.SetCryptomusInvoiceStatus200JSONResponse(out), nil
}
