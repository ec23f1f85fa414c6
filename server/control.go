package server

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/gen/sandboxapi"
	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/yookassa"
)

// control implements the sandbox control API (design §6): set up state,
// inspect ledgers, arm faults, reset.
type control struct {
	db        Database
	medusa    *medusa.Operations
	cryptomus *cryptomus.Operations
	yookassa  *yookassa.Operations
	faults    *faults
	// apis are the served APIs, to check that an armed fault names a real operation.
	apis apiSet
}

var _ sandboxapi.StrictServerInterface = (*control)(nil)

func registerControl(r *mux.Router, a *api, c *control) {
	sub := a.subrouter(r)
	sub.Use(a.guard)
	strict := sandboxapi.NewStrictHandlerWithOptions(c, nil, sandboxapi.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  func(w http.ResponseWriter, r *http.Request, err error) { a.renderDecodeError(w, r, err) },
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) { a.render(w, r, problemOf(err)) },
	})
	sandboxapi.HandlerWithOptions(strict, sandboxapi.GorillaServerOptions{
		BaseRouter:       sub,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) { a.renderDecodeError(w, r, err) },
	})
}

func (c *control) CreateMedusaToken(ctx context.Context, req sandboxapi.CreateMedusaTokenRequestObject) (sandboxapi.CreateMedusaTokenResponseObject, error) {
	b := req.Body
	perms := make([]string, 0, len(b.Permissions))
	for _, p := range b.Permissions {
		perms = append(perms, string(p))
	}
	if err := c.medusa.CreateToken(ctx, medusa.Token{Token: b.Token, PlatformID: b.Platform, Permissions: perms}); err != nil {
		return nil, err
	}
	return sandboxapi.CreateMedusaToken201JSONResponse{Platform: b.Platform, Token: b.Token, Permissions: b.Permissions}, nil
}

func (c *control) GetMedusaOrderLedger(ctx context.Context, req sandboxapi.GetMedusaOrderLedgerRequestObject) (sandboxapi.GetMedusaOrderLedgerResponseObject, error) {
	o, postings, err := c.medusa.Ledger(ctx, platform(ctx), req.OrderExtId)
	if err != nil {
		return nil, err
	}
	entries := make([]sandboxapi.MedusaLedgerEntry, 0, len(postings))
	for _, p := range postings {
		entries = append(entries, sandboxapi.MedusaLedgerEntry{Step: p.Step, Debit: sandboxapi.LedgerAccount(p.Debit),
			Credit: sandboxapi.LedgerAccount(p.Credit), Amount: medusa.Money(p.Amount), At: p.At})
	}
	b := medusa.BalancesOf(postings)
	return sandboxapi.GetMedusaOrderLedger200JSONResponse{
		OrderExtId: o.ExtID, State: sandboxapi.MedusaOrderState(o.State), Entries: entries,
		Balances: sandboxapi.MedusaLedgerBalances{Nominal: medusa.Money(b.Nominal), Commission: medusa.Money(b.Commission), Settlement: medusa.Money(b.Settlement)},
	}, nil
}

func (c *control) ArmFault(ctx context.Context, req sandboxapi.ArmFaultRequestObject) (sandboxapi.ArmFaultResponseObject, error) {
	b := req.Body
	status, times := http.StatusInternalServerError, 1
	if b.Status != nil {
		status = int(*b.Status)
	}
	if b.Times != nil {
		times = *b.Times
	}
	target := c.apis.byName(string(b.Api))
	if target == nil {
		return nil, medusa.Errorf(medusa.EValidation, "api %q is not served by this version of paysandbox", b.Api)
	}
	if !target.hasOperation(b.OperationId) {
		return nil, medusa.Errorf(medusa.EValidation, "api %q has no operation %q", b.Api, b.OperationId)
	}
	disconnect := b.Disconnect != nil && *b.Disconnect
	c.faults.arm(string(b.Api), b.OperationId, armedFault{status: status, times: times, disconnect: disconnect})
	return sandboxapi.ArmFault201JSONResponse{Api: b.Api, OperationId: b.OperationId, Status: sandboxapi.FaultStatus(status), Times: times, Disconnect: disconnect}, nil
}

func (c *control) ClearFaults(ctx context.Context, _ sandboxapi.ClearFaultsRequestObject) (sandboxapi.ClearFaultsResponseObject, error) {
	c.faults.clear()
	return sandboxapi.ClearFaults204Response{}, nil
}

func (c *control) Reset(ctx context.Context, _ sandboxapi.ResetRequestObject) (sandboxapi.ResetResponseObject, error) {
	if err := c.db.Reset(ctx); err != nil {
		return nil, err
	}
	c.faults.clear()
	if err := ensureDefaults(ctx, c.medusa, c.cryptomus, c.yookassa); err != nil {
		return nil, err
	}
	return sandboxapi.Reset204Response{}, nil
}

// ensureDefaults creates every API's default credentials if missing.
func ensureDefaults(ctx context.Context, m *medusa.Operations, c *cryptomus.Operations, y *yookassa.Operations) error {
	if err := m.EnsureDefaults(ctx); err != nil {
		return err
	}
	if err := c.EnsureDefaults(ctx); err != nil {
		return err
	}
	return y.EnsureDefaults(ctx)
}
