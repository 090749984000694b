-- Foundation: halls, accounts, devices, audit log, outbox, event log.
CREATE TABLE halls (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    timezone    TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    hours       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE zones (
    id       INTEGER PRIMARY KEY,
    hall_id  INTEGER NOT NULL REFERENCES halls(id),
    code     TEXT NOT NULL,
    name     TEXT NOT NULL,
    prefix   TEXT NOT NULL,
    sort     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (hall_id, code),
    UNIQUE (hall_id, prefix)
);
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
CREATE TABLE staff (
    id         INTEGER PRIMARY KEY,
    hall_id    INTEGER NOT NULL REFERENCES halls(id),
    staff_no   TEXT NOT NULL,
    name       TEXT NOT NULL,
    post       TEXT NOT NULL,
    pledge     TEXT NOT NULL DEFAULT '',
    photo_url  TEXT NOT NULL DEFAULT '',
    user_id    INTEGER REFERENCES users(id),
    UNIQUE (hall_id, staff_no)
);
CREATE TABLE windows (
    id        INTEGER PRIMARY KEY,
    hall_id   INTEGER NOT NULL REFERENCES halls(id),
    zone_id   INTEGER NOT NULL REFERENCES zones(id),
    number    TEXT NOT NULL,
    name      TEXT NOT NULL DEFAULT '',
    staff_id  INTEGER REFERENCES staff(id),
    UNIQUE (hall_id, number)
);
CREATE TABLE window_items (
    window_id  INTEGER NOT NULL REFERENCES windows(id),
    item_code  TEXT NOT NULL,
    PRIMARY KEY (window_id, item_code)
);
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    source      TEXT NOT NULL DEFAULT ''
);
CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    last_used   INTEGER NOT NULL DEFAULT 0,
    revoked_at  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE devices (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    window_id   INTEGER REFERENCES windows(id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL DEFAULT 0,
    revoked_at  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    source     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);
-- The application never updates or deletes audit records; these triggers
-- make an accidental attempt fail loudly. Someone with file access can drop
-- them, which is what the hash chain is for.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    channel          TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    body             TEXT NOT NULL,
    kind             TEXT NOT NULL DEFAULT '',
    dedupe_key       TEXT UNIQUE,
    state            TEXT NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_until      INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    provider_ref     TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
-- Events for live screens; ids let a reconnecting client resume and let
-- other instances load what a NOTIFY announced.
CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    hall_id  INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    payload  TEXT NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX events_hall ON events (hall_id, id);
