-- Medusa: platform tokens, recipients with payout methods, orders of
-- services and the orders' double-entry ledger.
--
-- Conventions of every table here:
--   * STRICT, with CHECKs that list the legal states, so a bug cannot store
--     a state the domain does not know.
--   * Money is canonical decimal TEXT (decimal.Decimal.String()), never REAL;
--     every amount stored here is non-negative.
--   * Times are UTC RFC 3339 with exactly 9 fractional digits
--     ("2006-01-02T15:04:05.000000000Z"): fixed width, so text order is time
--     order and range scans on the text are correct.
--   * Tables are prefixed medusa_ because the same file holds the other APIs.

CREATE TABLE medusa_tokens (
    token       TEXT PRIMARY KEY CHECK (token <> ''),
    platform_id TEXT NOT NULL CHECK (platform_id <> ''),
    permissions TEXT NOT NULL DEFAULT '[]'
                CHECK (json_valid(permissions) AND json_type(permissions) = 'array')
) STRICT;

CREATE TABLE medusa_recipients (
    id              INTEGER PRIMARY KEY,
    platform_id     TEXT NOT NULL CHECK (platform_id <> ''),
    ext_id          TEXT NOT NULL CHECK (ext_id <> ''),
    name            TEXT NOT NULL,
    -- all four NULL when the recipient has no SBP data
    sbp_phone       TEXT,
    sbp_first_name  TEXT,
    sbp_last_name   TEXT,
    sbp_middle_name TEXT,
    version         INTEGER NOT NULL CHECK (version >= 0),
    created_at      TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.?????????Z'),
    updated_at      TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.?????????Z'),
    UNIQUE (platform_id, ext_id),
    CHECK ((sbp_phone IS NULL) + (sbp_first_name IS NULL) + (sbp_last_name IS NULL)
           + (sbp_middle_name IS NULL) IN (0, 4))
) STRICT;

CREATE TABLE medusa_payout_methods (
    id                 INTEGER PRIMARY KEY, -- insertion order = creation order
    recipient_id       INTEGER NOT NULL REFERENCES medusa_recipients (id) ON DELETE CASCADE,
    ext_id             TEXT NOT NULL CHECK (ext_id <> ''),
    type               TEXT NOT NULL CHECK (type IN ('SBP', 'CARD')),
    bank_id            TEXT NOT NULL DEFAULT '',
    masked_card_number TEXT NOT NULL DEFAULT '',
    redirect_url       TEXT NOT NULL DEFAULT '',
    created_at         TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.?????????Z'),
    UNIQUE (recipient_id, ext_id)
) STRICT;

CREATE TABLE medusa_orders (
    id                          INTEGER PRIMARY KEY,
    platform_id                 TEXT NOT NULL CHECK (platform_id <> ''),
    ext_id                      TEXT NOT NULL CHECK (ext_id <> ''),
    api_version                 INTEGER NOT NULL CHECK (api_version IN (1, 2, 3)),
    state                       TEXT NOT NULL CHECK (state IN
                                ('waiting_user_payment', 'waiting_services', 'finished', 'canceled')),
    version                     INTEGER NOT NULL CHECK (version >= 0),

    payment_type                TEXT NOT NULL,
    payment_purpose             TEXT NOT NULL,
    payment_redirect_url        TEXT NOT NULL,
    payment_fail_redirect_url   TEXT NOT NULL,
    payment_consumer_id         TEXT NOT NULL,
    payment_ttl_minutes         INTEGER NOT NULL,
    payment_sbp_needed          INTEGER NOT NULL CHECK (payment_sbp_needed IN (0, 1)),
    payment_card_needed         INTEGER NOT NULL CHECK (payment_card_needed IN (0, 1)),
    payment_link                TEXT NOT NULL,

    -- all five NULL when the order has no receipt
    receipt_email               TEXT,
    receipt_name                TEXT,
    receipt_vat_type            TEXT,
    receipt_payment_method      TEXT,
    receipt_payment_object      TEXT,

    created_at                  TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.?????????Z'),
    payed_at                    TEXT CHECK (payed_at GLOB '????-??-??T??:??:??.?????????Z'),
    finished_at                 TEXT CHECK (finished_at GLOB '????-??-??T??:??:??.?????????Z'),
    acquiring_charged_at        TEXT CHECK (acquiring_charged_at GLOB '????-??-??T??:??:??.?????????Z'),
    commission_moved_at         TEXT CHECK (commission_moved_at GLOB '????-??-??T??:??:??.?????????Z'),
    platform_commission_paid_at TEXT CHECK (platform_commission_paid_at GLOB '????-??-??T??:??:??.?????????Z'),

    balance_nominal             TEXT NOT NULL CHECK (balance_nominal GLOB '[0-9]*' AND balance_nominal NOT GLOB '*[^0-9.]*'),
    balance_commission          TEXT NOT NULL CHECK (balance_commission GLOB '[0-9]*' AND balance_commission NOT GLOB '*[^0-9.]*'),
    balance_settlement          TEXT NOT NULL CHECK (balance_settlement GLOB '[0-9]*' AND balance_settlement NOT GLOB '*[^0-9.]*'),

    UNIQUE (platform_id, ext_id),
    UNIQUE (id, platform_id), -- target of medusa_services' foreign key
    CHECK ((receipt_email IS NULL) + (receipt_name IS NULL) + (receipt_vat_type IS NULL)
           + (receipt_payment_method IS NULL) + (receipt_payment_object IS NULL) IN (0, 5)),
    CHECK (state NOT IN ('waiting_services', 'finished') OR payed_at IS NOT NULL),
    CHECK ((state IN ('finished', 'canceled')) = (finished_at IS NOT NULL))
) STRICT;

-- the order list: a platform's orders, newest first
CREATE INDEX medusa_orders_by_created ON medusa_orders (platform_id, created_at DESC, id DESC);
-- the report: a platform's orders finished within a range
CREATE INDEX medusa_orders_by_finished ON medusa_orders (platform_id, finished_at)
    WHERE state = 'finished';

CREATE TABLE medusa_services (
    id                   INTEGER PRIMARY KEY,
    order_id             INTEGER NOT NULL,
    platform_id          TEXT NOT NULL,
    ext_id               TEXT NOT NULL CHECK (ext_id <> ''),
    position             INTEGER NOT NULL CHECK (position >= 0), -- order within the order
    price                TEXT NOT NULL CHECK (price GLOB '[0-9]*' AND price NOT GLOB '*[^0-9.]*'),
    commission           TEXT NOT NULL CHECK (commission GLOB '[0-9]*' AND commission NOT GLOB '*[^0-9.]*'),
    fee_acquiring        TEXT NOT NULL CHECK (fee_acquiring GLOB '[0-9]*' AND fee_acquiring NOT GLOB '*[^0-9.]*'),
    fee_payout           TEXT NOT NULL CHECK (fee_payout GLOB '[0-9]*' AND fee_payout NOT GLOB '*[^0-9.]*'),
    fee_platform         TEXT NOT NULL CHECK (fee_platform GLOB '[0-9]*' AND fee_platform NOT GLOB '*[^0-9.]*'),
    -- snapshot of who is paid and how, taken when the order was made
    recipient_ext_id     TEXT NOT NULL,
    payout_method_ext_id TEXT NOT NULL,
    method               TEXT NOT NULL,
    method_type          TEXT NOT NULL CHECK (method_type IN ('SBP', 'CARD')),
    bank_id              TEXT NOT NULL,
    masked_card_number   TEXT NOT NULL,
    state                TEXT NOT NULL CHECK (state IN ('not_ready', 'waiting_platform_decision',
                         'ready_to_execute', 'executing', 'executed', 'execute_failed')),
    decision             TEXT NOT NULL CHECK (decision IN ('not_decided', 'confirmed', 'rejected')),
    decision_made_at     TEXT CHECK (decision_made_at GLOB '????-??-??T??:??:??.?????????Z'),
    executed_at          TEXT CHECK (executed_at GLOB '????-??-??T??:??:??.?????????Z'),
    -- the service's platform is its order's platform
    FOREIGN KEY (order_id, platform_id) REFERENCES medusa_orders (id, platform_id) ON DELETE CASCADE,
    -- a service extId is unique within the platform, across its orders
    UNIQUE (platform_id, ext_id),
    UNIQUE (order_id, position)
) STRICT;

CREATE TABLE medusa_postings (
    id       INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES medusa_orders (id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL CHECK (seq >= 1), -- 1, 2, … within the order
    step     TEXT NOT NULL CHECK (step IN ('mark_order_paid_by_acquirer',
             'mark_order_acquiring_payment_failed', 'proceed_service_payout_to_recipient',
             'proceed_service_payout_commission', 'proceed_refund', 'proceed_acquiring_commission',
             'move_platform_commission_to_commission_account', 'proceed_platform_commission')),
    debit    TEXT NOT NULL CHECK (debit IN ('buyer', 'nominal', 'recipient', 'bank', 'commission', 'settlement')),
    credit   TEXT NOT NULL CHECK (credit IN ('buyer', 'nominal', 'recipient', 'bank', 'commission', 'settlement')),
    -- a zero movement is not a movement
    amount   TEXT NOT NULL CHECK (amount GLOB '[0-9]*' AND amount NOT GLOB '*[^0-9.]*' AND amount <> '0'),
    at       TEXT NOT NULL CHECK (at GLOB '????-??-??T??:??:??.?????????Z'),
    CHECK (debit <> credit),
    UNIQUE (order_id, seq)
) STRICT;
