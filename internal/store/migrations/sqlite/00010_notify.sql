-- Notifications (issue 12): delivery states per message and per SMS part,
-- receipts stored before they are acknowledged, attempts for the outbox
-- page, opt-outs, the self-employed contributor registry and reminder
-- campaigns with exactly-once recipients.
--
-- States of a message: queued → submitting → accepted → delivered, or
-- failed, unknown (the provider may or may not have it: settled by a receipt
-- or a status query, never by a blind resend) or expired.
UPDATE outbox SET state = 'queued' WHERE state = 'pending';
UPDATE outbox SET state = 'accepted' WHERE state = 'sent';
UPDATE outbox SET state = 'failed' WHERE state = 'dead';
ALTER TABLE outbox ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN provider TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN accepted_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN settled_at INTEGER NOT NULL DEFAULT 0;
-- hall_id, recipient_blind (and the sealed columns) come from 00006.
CREATE INDEX outbox_recipient ON outbox (recipient_blind, created_at);
CREATE TABLE outbox_parts (
    outbox_id        INTEGER NOT NULL REFERENCES outbox(id),
    seq              INTEGER NOT NULL,
    total            INTEGER NOT NULL,
    state            TEXT NOT NULL,
    provider         TEXT NOT NULL,
    provider_msg_id  TEXT NOT NULL DEFAULT '',
    submitted_at     INTEGER NOT NULL DEFAULT 0,
    accepted_at      INTEGER NOT NULL DEFAULT 0,
    receipt_at       INTEGER NOT NULL DEFAULT 0,
    stat             TEXT NOT NULL DEFAULT '',
    error            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (outbox_id, seq)
);
CREATE INDEX outbox_parts_msg ON outbox_parts (provider, provider_msg_id);
CREATE TABLE outbox_attempts (
    id         INTEGER PRIMARY KEY,
    outbox_id  INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    outcome    TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_attempts_msg ON outbox_attempts (outbox_id, id);
CREATE TABLE sms_receipts (
    id               INTEGER PRIMARY KEY,
    provider         TEXT NOT NULL,
    provider_msg_id  TEXT NOT NULL,
    stat             TEXT NOT NULL,
    err              TEXT NOT NULL DEFAULT '',
    received_at      INTEGER NOT NULL,
    applied_at       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sms_receipts_msg ON sms_receipts (provider, provider_msg_id);
CREATE TABLE sms_optouts (
    phone_blind  TEXT PRIMARY KEY,
    phone_masked TEXT NOT NULL,
    source       TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE TABLE contributors (
    id               INTEGER PRIMARY KEY,
    hall_id          INTEGER NOT NULL REFERENCES halls(id),
    name_enc         TEXT NOT NULL,
    name_masked      TEXT NOT NULL,
    id_number_enc    TEXT NOT NULL,
    id_number_blind  TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    phone_enc        TEXT NOT NULL,
    phone_blind      TEXT NOT NULL,
    phone_masked     TEXT NOT NULL,
    insurance        TEXT NOT NULL,
    frequency        TEXT NOT NULL,
    paid_through     TEXT NOT NULL,
    payment          TEXT NOT NULL,
    debit_failed     INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (hall_id, id_number_blind)
);
CREATE TABLE campaigns (
    id           INTEGER PRIMARY KEY,
    hall_id      INTEGER NOT NULL REFERENCES halls(id),
    kind         TEXT NOT NULL,
    period       TEXT NOT NULL,
    state        TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    snapshot_at  INTEGER NOT NULL DEFAULT 0,
    snap_cursor  INTEGER NOT NULL DEFAULT 0,
    day          TEXT NOT NULL DEFAULT '',
    UNIQUE (hall_id, kind, period)
);
CREATE TABLE campaign_recipients (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES campaigns(id),
    contributor_id  INTEGER NOT NULL REFERENCES contributors(id),
    period          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    phone_enc       TEXT NOT NULL,
    phone_blind     TEXT NOT NULL,
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    outbox_id       INTEGER,
    UNIQUE (contributor_id, period, kind)
);
CREATE INDEX campaign_recipients_state ON campaign_recipients (campaign_id, state, id);
