// Package server is paysandbox's HTTP layer: a gorilla/mux router with one
// sub-tree per API, request validation against the embedded specs, auth,
// the generated strict handlers, and the mapping of domain errors to each
// API's own error envelope.
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/openapi"
	"github.com/paysandbox/paysandbox/yookassa"
)

// Database is what the server needs of the storage beyond the domain stores.
type Database interface {
	Ping(ctx context.Context) error
	// Reset deletes all state; the server re-creates the default credentials.
	Reset(ctx context.Context) error
}

// Config wires the server to its storage and rules.
type Config struct {
	DB        Database
	Medusa    *medusa.Operations
	Cryptomus *cryptomus.Operations
	YooKassa  *yookassa.Operations
	Logger    *slog.Logger
	// PublicURL is where clients reach this server (for Links.self).
	PublicURL string
	// UpstreamAllow lists the YooKassa base URLs that PaymentCommit may call
	// (ApiParams.Url); UpstreamTimeout bounds each call (0: 10 s).
	UpstreamAllow   []string
	UpstreamTimeout time.Duration
	// ControlToken, when set, protects the control API: every operation
	// but the Medusa ledger (which takes a Medusa bearer token) then needs
	// the header X-Sandbox-Control-Token with exactly this value (401
	// otherwise). Empty leaves the control API open, for localhost.
	ControlToken string
}

// Storage is one store that keeps every API's state (sqlitedb.DB).
type Storage interface {
	Database
	medusa.Store
	cryptomus.Store
	yookassa.Store
}

// NewConfig wires every API's rules to one storage with the documented
// default settings (Medusa's tariff, Cryptomus's refund fee, no YooKassa
// commission).
func NewConfig(db Storage, publicURL string, logger *slog.Logger) Config {
	return Config{
		DB:        db,
		Medusa:    &medusa.Operations{Store: db, Tariff: medusa.DefaultTariff, BaseURL: publicURL},
		Cryptomus: &cryptomus.Operations{Store: db, BaseURL: publicURL},
		YooKassa:  &yookassa.Operations{Store: db, BaseURL: publicURL},
		Logger:    logger,
		PublicURL: publicURL,
		// PaymentCommit may call this server's own YooKassa emulator.
		UpstreamAllow:   []string{publicURL + "/yookassa/v3"},
		UpstreamTimeout: DefaultUpstreamTimeout,
	}
}

// New creates the default credentials if missing and returns the handler
// serving every API.
func New(ctx context.Context, cfg Config) (http.Handler, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := ensureDefaults(ctx, cfg.Medusa, cfg.Cryptomus, cfg.YooKassa); err != nil {
		return nil, err
	}
	flt := newFaults()

	medusaAPI, err := loadAPI("medusa", renderMedusa)
	if err != nil {
		return nil, err
	}
	medusaAPI.auth = medusaAuth(cfg.Medusa)
	medusaAPI.faults = flt

	cryptomusAPI, err := newCryptomusAPI(cfg.Cryptomus, flt)
	if err != nil {
		return nil, err
	}

	yookassaAPI, lcmanagerAPI, upstream, err := loadYooKassaAPIs(cfg, flt)
	if err != nil {
		return nil, err
	}

	controlAPI, err := loadAPI("sandbox", renderControl)
	if err != nil {
		return nil, err
	}
	controlAPI.auth = controlAuth(controlAPI, cfg.Medusa, cfg.ControlToken) // control_auth.go
	apis := apiSet{medusaAPI, cryptomusAPI, yookassaAPI, lcmanagerAPI, controlAPI}

	r := mux.NewRouter()
	// A path with "..", "." or "//" is no route of any API (404 in its
	// envelope), not a 301 to another path without a body.
	r.SkipClean(true)
	r.HandleFunc("/healthz", healthz(cfg.DB)).Methods(http.MethodGet)
	r.HandleFunc("/openapi/{name}.yaml", serveSpec).Methods(http.MethodGet)
	registerDocs(r)
	registerMedusa(r, medusaAPI, cfg.Medusa)
	registerCryptomus(r, cryptomusAPI, cfg.Cryptomus)
	registerYooKassa(r, yookassaAPI, cfg.YooKassa)
	registerLCManager(r, lcmanagerAPI, upstream)
	registerControl(r, controlAPI, &control{db: cfg.DB, medusa: cfg.Medusa, cryptomus: cfg.Cryptomus, yookassa: cfg.YooKassa, faults: flt, apis: apis})
	r.NotFoundHandler = apis.notFound()
	r.MethodNotAllowedHandler = apis.methodNotAllowed(r)

	return accessLog(cfg.Logger, cfg.PublicURL, recoverPanics(apis, r)), nil
}

func healthz(db Database) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := db.Ping(r.Context()); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}

func serveSpec(w http.ResponseWriter, r *http.Request) {
	raw, err := openapi.Spec(mux.Vars(r)["name"])
	if err != nil {
		renderControl(w, r, problem{status: http.StatusNotFound, kind: kindNotFound, message: "no spec named " + mux.Vars(r)["name"]})
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(raw)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
