-- YooKassa (the emulated API v3 upstream): shops, payments, refunds and
-- idempotence keys.
--
-- The conventions of 0001_medusa.sql hold here too: STRICT tables with
-- CHECKs that list the legal states; money as canonical decimal TEXT
-- (decimal.Decimal.String(), never REAL; "2" is 2.00); times as UTC RFC 3339
-- with exactly 9 fractional digits; every table prefixed yookassa_.

CREATE TABLE yookassa_shops (
    shop_id    TEXT PRIMARY KEY CHECK (shop_id <> ''),
    secret_key TEXT NOT NULL CHECK (secret_key <> '')
) STRICT;

CREATE TABLE yookassa_payments (
    id                      TEXT PRIMARY KEY CHECK (length(id) = 36),
    shop_id                 TEXT NOT NULL REFERENCES yookassa_shops (shop_id) ON DELETE CASCADE,
    status                  TEXT NOT NULL CHECK (status IN
                            ('pending', 'waiting_for_capture', 'succeeded', 'canceled')),
    paid                    INTEGER NOT NULL CHECK (paid IN (0, 1)),
    amount_value            TEXT NOT NULL CHECK (amount_value GLOB '[0-9]*'
                            AND amount_value NOT GLOB '*[^0-9.]*' AND amount_value <> '0'),
    currency                TEXT NOT NULL CHECK (currency IN ('RUB', 'USD', 'EUR')),
    -- amount minus the fee, in the payment's currency; only once succeeded
    income_value            TEXT CHECK (income_value GLOB '[0-9]*' AND income_value NOT GLOB '*[^0-9.]*'),
    capture                 INTEGER NOT NULL CHECK (capture IN (0, 1)),
    description             TEXT NOT NULL,
    -- a JSON object of strings, NULL when the request had no metadata
    metadata                TEXT CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    -- NULL when the request had no confirmation; the other three '' when unused
    confirmation_type       TEXT CHECK (confirmation_type IN ('embedded', 'redirect')),
    confirmation_return_url TEXT NOT NULL DEFAULT '',
    confirmation_token      TEXT NOT NULL DEFAULT '',
    confirmation_url        TEXT NOT NULL DEFAULT '',
    created_at              TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.?????????Z'),
    captured_at             TEXT CHECK (captured_at GLOB '????-??-??T??:??:??.?????????Z'),
    expires_at              TEXT CHECK (expires_at GLOB '????-??-??T??:??:??.?????????Z'),
    refunded_value          TEXT NOT NULL CHECK (refunded_value GLOB '[0-9]*' AND refunded_value NOT GLOB '*[^0-9.]*'),
    cancel_party            TEXT CHECK (cancel_party IN ('yoo_money', 'payment_network', 'merchant')),
    cancel_reason           TEXT CHECK (cancel_reason <> ''),
    version                 INTEGER NOT NULL CHECK (version >= 0),
    UNIQUE (id, shop_id), -- target of yookassa_refunds' foreign key
    -- what each status implies
    CHECK (paid = (status IN ('waiting_for_capture', 'succeeded'))),
    CHECK ((status = 'succeeded') = (captured_at IS NOT NULL AND income_value IS NOT NULL)),
    CHECK ((status = 'waiting_for_capture') = (expires_at IS NOT NULL)),
    CHECK ((status = 'canceled') = (cancel_party IS NOT NULL AND cancel_reason IS NOT NULL)),
    CHECK (status = 'succeeded' OR refunded_value = '0'),
    CHECK ((confirmation_type IS NULL) <= (confirmation_return_url = '' AND confirmation_token = ''
                                           AND confirmation_url = ''))
) STRICT;

CREATE TABLE yookassa_refunds (
    id           TEXT PRIMARY KEY CHECK (length(id) = 36),
    payment_id   TEXT NOT NULL,
    shop_id      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'canceled')),
    amount_value TEXT NOT NULL CHECK (amount_value GLOB '[0-9]*'
                 AND amount_value NOT GLOB '*[^0-9.]*' AND amount_value <> '0'),
    currency     TEXT NOT NULL CHECK (currency IN ('RUB', 'USD', 'EUR')),
    description  TEXT NOT NULL,
    created_at   TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.?????????Z'),
    -- a refund's shop is its payment's shop
    FOREIGN KEY (payment_id, shop_id) REFERENCES yookassa_payments (id, shop_id) ON DELETE CASCADE
) STRICT;

CREATE INDEX yookassa_refunds_by_payment ON yookassa_refunds (payment_id);

-- One row per (shop, Idempotence-Key): the fingerprint of the request that
-- used the key and the response it got, replayed for 24 hours.
CREATE TABLE yookassa_idempotence_keys (
    shop_id     TEXT NOT NULL REFERENCES yookassa_shops (shop_id) ON DELETE CASCADE,
    key         TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 64 AND key NOT GLOB '*[^0-9a-zA-Z+._-]*'),
    fingerprint TEXT NOT NULL CHECK (fingerprint <> ''),
    status      INTEGER NOT NULL CHECK (status BETWEEN 100 AND 599),
    body        BLOB NOT NULL,
    created_at  TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.?????????Z'),
    PRIMARY KEY (shop_id, key)
) STRICT, WITHOUT ROWID;

-- the purge of expired keys
CREATE INDEX yookassa_idempotence_keys_by_created ON yookassa_idempotence_keys (created_at);
