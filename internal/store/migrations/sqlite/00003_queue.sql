-- Queue and calling: tickets, their transitions, daily number counters,
-- window sessions, integrity alerts, phone codes, appointments, settings.
CREATE TABLE queue_settings (
    hall_id           INTEGER PRIMARY KEY REFERENCES halls(id),
    policy            TEXT NOT NULL DEFAULT 'mingbai',
    green_k           INTEGER NOT NULL DEFAULT 2,
    max_recalls       INTEGER NOT NULL DEFAULT 2,
    near_ahead        INTEGER NOT NULL DEFAULT 3,
    default_cap       INTEGER NOT NULL DEFAULT 5000,
    appt_capacity     INTEGER NOT NULL DEFAULT 4,
    noshow_limit      INTEGER NOT NULL DEFAULT 3,
    noshow_days       INTEGER NOT NULL DEFAULT 90,
    noshow_ban_days   INTEGER NOT NULL DEFAULT 30
);
CREATE TABLE queue_item_caps (
    hall_id    INTEGER NOT NULL REFERENCES halls(id),
    item_code  TEXT NOT NULL,
    daily_cap  INTEGER NOT NULL,
    PRIMARY KEY (hall_id, item_code)
);
-- One row per hall, day and prefix; the issuing transaction increments it,
-- so numbers are gapless and unique across instances.
CREATE TABLE queue_counters (
    hall_id  INTEGER NOT NULL REFERENCES halls(id),
    day      TEXT NOT NULL,
    prefix   TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (hall_id, day, prefix)
);
CREATE TABLE tickets (
    id                 INTEGER PRIMARY KEY,
    hall_id            INTEGER NOT NULL REFERENCES halls(id),
    day                TEXT NOT NULL,
    number             TEXT NOT NULL,
    prefix             TEXT NOT NULL,
    seq                INTEGER NOT NULL,
    item_code          TEXT NOT NULL,
    zone               TEXT NOT NULL,
    priority           TEXT NOT NULL DEFAULT '',
    channel            TEXT NOT NULL,
    phone              TEXT NOT NULL DEFAULT '',
    state              TEXT NOT NULL,
    issued_at          INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    called_at          INTEGER NOT NULL DEFAULT 0,
    started_at         INTEGER NOT NULL DEFAULT 0,
    finished_at        INTEGER NOT NULL DEFAULT 0,
    window_id          INTEGER REFERENCES windows(id),
    target_window_id   INTEGER REFERENCES windows(id),
    staff_id           INTEGER REFERENCES staff(id),
    recalls            INTEGER NOT NULL DEFAULT 0,
    priority_bypassed  INTEGER NOT NULL DEFAULT 0,
    eta_ms             INTEGER NOT NULL DEFAULT 0,
    track_token        TEXT NOT NULL UNIQUE,
    idem_key           TEXT,
    appointment_id     INTEGER,
    near_notified      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (hall_id, day, prefix, seq),
    UNIQUE (hall_id, idem_key)
);
CREATE INDEX tickets_state ON tickets (hall_id, state, day);
CREATE INDEX tickets_window ON tickets (window_id, state);
CREATE INDEX tickets_item ON tickets (hall_id, day, item_code);
CREATE INDEX tickets_phone ON tickets (hall_id, phone);
CREATE TABLE ticket_transitions (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    staff_id    INTEGER,
    window_id   INTEGER,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_transitions_ticket ON ticket_transitions (ticket_id, id);
-- A staff member signed in at a window: open, paused (with a reason) or
-- closed. At most one session per window is not closed.
CREATE TABLE window_sessions (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    window_id   INTEGER NOT NULL REFERENCES windows(id),
    staff_id    INTEGER REFERENCES staff(id),
    username    TEXT NOT NULL,
    state       TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    opened_at   INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    closed_at   INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX window_sessions_active ON window_sessions (window_id) WHERE state <> 'closed';
-- Integrity risk points raised by the system (out-of-turn calls here;
-- materials beyond the guide in the case ledger), for managers and auditors.
CREATE TABLE integrity_alerts (
    id           INTEGER PRIMARY KEY,
    hall_id      INTEGER NOT NULL REFERENCES halls(id),
    kind         TEXT NOT NULL,
    ref          TEXT NOT NULL,
    detail       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           INTEGER NOT NULL,
    resolved_at  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX integrity_alerts_hall ON integrity_alerts (hall_id, at);
CREATE TABLE phone_codes (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    phone       TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    token       TEXT NOT NULL UNIQUE,
    attempts    INTEGER NOT NULL DEFAULT 0,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE INDEX phone_codes_phone ON phone_codes (phone, created_at);
CREATE TABLE appointments (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    item_code   TEXT NOT NULL,
    day         TEXT NOT NULL,
    slot        TEXT NOT NULL,
    slot_at     INTEGER NOT NULL,
    phone       TEXT NOT NULL,
    state       TEXT NOT NULL,
    code        TEXT NOT NULL UNIQUE,
    ticket_id   INTEGER REFERENCES tickets(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX appointments_slot ON appointments (hall_id, item_code, day, slot);
CREATE INDEX appointments_phone ON appointments (phone, day);
