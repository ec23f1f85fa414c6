-- Cryptomus: merchants with their currency wallets, and invoices.
--
-- Conventions as in 0001_medusa.sql (STRICT, CHECKs listing the legal
-- statuses, fixed-width UTC times), plus:
--   * Money is decimal TEXT in plain notation that keeps the amount's scale
--     (cryptomus.FormatAmount: "10.00", "0.12345678"), so an amount reads
--     back with the decimals the client sent. Wallet balances may be
--     negative (the sandbox does not limit refunds by balance); every other
--     amount is non-negative.
--   * UUIDs are stored in lower case.
--   * Tables are prefixed cryptomus_.

CREATE TABLE cryptomus_merchants (
    uuid             TEXT PRIMARY KEY CHECK (length(uuid) = 36 AND uuid NOT GLOB '*[^0-9a-f-]*'),
    payment_key      TEXT NOT NULL CHECK (payment_key <> ''),
    payout_key       TEXT NOT NULL DEFAULT '', -- '' = none
    payments_blocked INTEGER NOT NULL CHECK (payments_blocked IN (0, 1)),
    version          INTEGER NOT NULL CHECK (version >= 0),
    created_at       TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.?????????Z'),
    updated_at       TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.?????????Z')
) STRICT;

CREATE TABLE cryptomus_wallets (
    merchant_uuid TEXT NOT NULL REFERENCES cryptomus_merchants (uuid) ON DELETE CASCADE,
    currency      TEXT NOT NULL CHECK (currency <> '' AND length(currency) <= 10 AND currency NOT GLOB '*[^A-Z0-9]*'),
    position      INTEGER NOT NULL CHECK (position >= 0), -- the wallet list's order
    balance       TEXT NOT NULL CHECK ((balance GLOB '[0-9]*' OR balance GLOB '-[0-9]*')
                                       AND balance NOT GLOB '?*[^0-9.]*'),
    PRIMARY KEY (merchant_uuid, currency),
    UNIQUE (merchant_uuid, position)
) STRICT;

CREATE TABLE cryptomus_invoices (
    uuid             TEXT PRIMARY KEY CHECK (length(uuid) = 36 AND uuid NOT GLOB '*[^0-9a-f-]*'),
    merchant_uuid    TEXT NOT NULL REFERENCES cryptomus_merchants (uuid) ON DELETE CASCADE,
    order_id         TEXT NOT NULL CHECK (order_id <> '' AND length(order_id) <= 128),
    amount           TEXT NOT NULL CHECK (amount GLOB '[0-9]*' AND amount NOT GLOB '*[^0-9.]*'),
    currency         TEXT NOT NULL CHECK (currency <> '' AND length(currency) <= 10 AND currency NOT GLOB '*[^A-Z0-9]*'),
    network          TEXT NOT NULL DEFAULT '',
    url_return       TEXT NOT NULL DEFAULT '',
    url_success      TEXT NOT NULL DEFAULT '',
    url_callback     TEXT NOT NULL DEFAULT '',
    additional_data  TEXT NOT NULL DEFAULT '',
    lifetime         INTEGER NOT NULL CHECK (lifetime > 0), -- seconds
    accuracy_percent TEXT NOT NULL CHECK (accuracy_percent GLOB '[0-9]*' AND accuracy_percent NOT GLOB '*[^0-9.]*'),
    status           TEXT NOT NULL CHECK (status IN ('check', 'process', 'confirm_check', 'paid',
                     'paid_over', 'wrong_amount', 'wrong_amount_waiting', 'cancel', 'fail', 'system_fail',
                     'locked', 'refund_process', 'refund_fail', 'refund_paid')),
    -- NULL until the payer pays
    payment_amount   TEXT CHECK (payment_amount GLOB '[0-9]*' AND payment_amount NOT GLOB '*[^0-9.]*'),
    payer_currency   TEXT NOT NULL DEFAULT '',
    merchant_amount  TEXT CHECK (merchant_amount GLOB '[0-9]*' AND merchant_amount NOT GLOB '*[^0-9.]*'),
    address          TEXT NOT NULL DEFAULT '',
    from_address     TEXT NOT NULL DEFAULT '',
    txid             TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.?????????Z'),
    updated_at       TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.?????????Z'),
    expired_at       TEXT NOT NULL CHECK (expired_at GLOB '????-??-??T??:??:??.?????????Z'),
    refunded_amount  TEXT NOT NULL CHECK (refunded_amount GLOB '[0-9]*' AND refunded_amount NOT GLOB '*[^0-9.]*'),
    -- the refund: all six NULL until one is made
    refund_address        TEXT,
    refund_is_subtract    INTEGER CHECK (refund_is_subtract IN (0, 1)),
    refund_amount         TEXT CHECK (refund_amount GLOB '[0-9]*' AND refund_amount NOT GLOB '*[^0-9.]*'),
    refund_fee            TEXT CHECK (refund_fee GLOB '[0-9]*' AND refund_fee NOT GLOB '*[^0-9.]*'),
    refund_payer_receives TEXT CHECK (refund_payer_receives GLOB '[0-9]*' AND refund_payer_receives NOT GLOB '*[^0-9.]*'),
    refund_at             TEXT CHECK (refund_at GLOB '????-??-??T??:??:??.?????????Z'),
    version          INTEGER NOT NULL CHECK (version >= 0),
    -- an order_id is unique per merchant: a second create returns the first invoice
    UNIQUE (merchant_uuid, order_id),
    CHECK ((refund_address IS NULL) + (refund_is_subtract IS NULL) + (refund_amount IS NULL)
           + (refund_fee IS NULL) + (refund_payer_receives IS NULL) + (refund_at IS NULL) IN (0, 6)),
    CHECK (status NOT IN ('paid', 'paid_over', 'wrong_amount', 'wrong_amount_waiting') OR payment_amount IS NOT NULL),
    CHECK (status NOT IN ('paid', 'paid_over', 'wrong_amount') OR merchant_amount IS NOT NULL),
    CHECK (status NOT IN ('refund_process', 'refund_paid', 'refund_fail') OR refund_at IS NOT NULL)
) STRICT;
