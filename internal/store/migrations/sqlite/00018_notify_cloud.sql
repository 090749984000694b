-- Notifications, second part (issue 12): message expiry, template
-- parameters kept (sealed) for providers that send by template code,
-- template registrations per provider with their approval, and the nonces
-- of signed receipt callbacks (a replayed callback is refused).
ALTER TABLE outbox ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN params_enc TEXT NOT NULL DEFAULT '';
-- One registration per (provider, kind): the code the carrier or cloud
-- vendor gave the fixed template text, and where it stands:
-- draft → submitted → approved | rejected. The last approved code keeps
-- sending while a new version is under review.
CREATE TABLE sms_templates (
    id             INTEGER PRIMARY KEY,
    provider       TEXT NOT NULL,
    kind           TEXT NOT NULL,
    code           TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL,
    author         TEXT NOT NULL DEFAULT '',
    approver       TEXT NOT NULL DEFAULT '',
    approved_code  TEXT NOT NULL DEFAULT '',
    approved_at    INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (provider, kind)
);
CREATE TABLE sms_push_nonces (
    provider  TEXT NOT NULL,
    nonce     TEXT NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (provider, nonce)
);
