-- Feedback (好差评): ratings of every service, rectification of bad ones,
-- appeals, callback draws with frozen ledger snapshots, callback attempts,
-- opted-out numbers and the per-province code mapping of the export.
CREATE TABLE feedback_settings (
    hall_id        INTEGER PRIMARY KEY REFERENCES halls(id),
    late_days      INTEGER NOT NULL DEFAULT 5,
    rect_days      INTEGER NOT NULL DEFAULT 5,
    min_sample     INTEGER NOT NULL DEFAULT 30,
    recent_days    INTEGER NOT NULL DEFAULT 90,
    invite_days    INTEGER NOT NULL DEFAULT 0,
    division_code  TEXT NOT NULL DEFAULT '',
    province       TEXT NOT NULL DEFAULT ''
);
-- One rating per service (ticket or case) from the citizen's channels
-- (pad, QR, SMS); callback answers are ratings too, one per draw record.
CREATE TABLE ratings (
    id              INTEGER PRIMARY KEY,
    hall_id         INTEGER NOT NULL REFERENCES halls(id),
    service_kind    TEXT NOT NULL,
    service_id      INTEGER NOT NULL,
    service_ref     TEXT NOT NULL,
    channel         TEXT NOT NULL,
    rater_category  TEXT NOT NULL DEFAULT 'person',
    overall         INTEGER NOT NULL,
    efficiency      INTEGER NOT NULL DEFAULT 0,
    service_level   INTEGER NOT NULL DEFAULT 0,
    attitude        INTEGER NOT NULL DEFAULT 0,
    reason          TEXT NOT NULL DEFAULT '',
    remark          TEXT NOT NULL DEFAULT '',
    times           INTEGER NOT NULL DEFAULT 1,
    staff_id        INTEGER REFERENCES staff(id),
    window_id       INTEGER REFERENCES windows(id),
    zone            TEXT NOT NULL DEFAULT '',
    item_code       TEXT NOT NULL DEFAULT '',
    served_at       INTEGER NOT NULL,
    rated_at        INTEGER NOT NULL,
    rated_date      TEXT NOT NULL,
    late            INTEGER NOT NULL DEFAULT 0,
    division_code   TEXT NOT NULL DEFAULT '',
    device_id       INTEGER,
    draw_id         INTEGER,
    invalid         INTEGER NOT NULL DEFAULT 0,
    invalid_reason  TEXT NOT NULL DEFAULT '',
    idem_key        TEXT,
    UNIQUE (hall_id, idem_key)
);
CREATE UNIQUE INDEX ratings_one_per_service ON ratings (service_kind, service_id) WHERE channel <> 'callback';
CREATE UNIQUE INDEX ratings_one_per_callback ON ratings (draw_id, service_kind, service_id) WHERE channel = 'callback';
CREATE INDEX ratings_hall_date ON ratings (hall_id, rated_date);
CREATE INDEX ratings_staff ON ratings (staff_id, rated_at);
-- Rating invitations sent by SMS for completed cases; the token keys the
-- public rating page.
CREATE TABLE rating_invites (
    id            INTEGER PRIMARY KEY,
    hall_id       INTEGER NOT NULL REFERENCES halls(id),
    service_kind  TEXT NOT NULL,
    service_id    INTEGER NOT NULL,
    token         TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    UNIQUE (service_kind, service_id)
);
CREATE TABLE rectifications (
    id           INTEGER PRIMARY KEY,
    hall_id      INTEGER NOT NULL REFERENCES halls(id),
    rating_id    INTEGER NOT NULL UNIQUE REFERENCES ratings(id),
    state        TEXT NOT NULL,
    staff_id     INTEGER REFERENCES staff(id),
    owner_user   TEXT NOT NULL DEFAULT '',
    opened_at    INTEGER NOT NULL,
    opened_date  TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    closed_at    INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX rectifications_hall_state ON rectifications (hall_id, state, deadline);
CREATE TABLE rectification_steps (
    id       INTEGER PRIMARY KEY,
    rect_id  INTEGER NOT NULL REFERENCES rectifications(id),
    action   TEXT NOT NULL,
    state    TEXT NOT NULL,
    actor    TEXT NOT NULL,
    at       INTEGER NOT NULL,
    note     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX rectification_steps_rect ON rectification_steps (rect_id, id);
CREATE TABLE rating_appeals (
    id               INTEGER PRIMARY KEY,
    hall_id          INTEGER NOT NULL REFERENCES halls(id),
    rating_id        INTEGER NOT NULL UNIQUE REFERENCES ratings(id),
    staff_id         INTEGER REFERENCES staff(id),
    filed_by         TEXT NOT NULL,
    filed_at         INTEGER NOT NULL,
    reason           TEXT NOT NULL,
    state            TEXT NOT NULL,
    decided_by       TEXT NOT NULL DEFAULT '',
    decided_at       INTEGER NOT NULL DEFAULT 0,
    decision_reason  TEXT NOT NULL DEFAULT ''
);
-- A callback draw. The snapshot (draw_records) and its hash are written
-- when the draw is created; the seed can only be set afterwards, once.
CREATE TABLE draws (
    id             INTEGER PRIMARY KEY,
    hall_id        INTEGER NOT NULL REFERENCES halls(id),
    name           TEXT NOT NULL,
    period_from    TEXT NOT NULL,
    period_to      TEXT NOT NULL,
    scope          TEXT NOT NULL,
    strata_by      TEXT NOT NULL,
    n              INTEGER NOT NULL,
    allocation     TEXT NOT NULL,
    min_per        INTEGER NOT NULL DEFAULT 0,
    recent_days    INTEGER NOT NULL,
    snapshot_hash  TEXT NOT NULL,
    snapshot_at    INTEGER NOT NULL,
    seed           TEXT NOT NULL DEFAULT '',
    seed_source    TEXT NOT NULL DEFAULT '',
    seeded_at      INTEGER NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    idem_key       TEXT,
    UNIQUE (hall_id, idem_key)
);
-- The frozen ledger snapshot of a draw (record id, stratum, exclusion) plus,
-- after the seed, each eligible record's rank in its stratum and whether it
-- is in the sample (the first n_h) or was taken as a replacement.
CREATE TABLE draw_records (
    draw_id       INTEGER NOT NULL REFERENCES draws(id),
    record_id     TEXT NOT NULL,
    stratum       TEXT NOT NULL,
    excluded      TEXT NOT NULL DEFAULT '',
    service_kind  TEXT NOT NULL,
    service_id    INTEGER NOT NULL,
    staff_id      INTEGER,
    pos           INTEGER NOT NULL DEFAULT 0,
    in_sample     INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (draw_id, record_id)
);
CREATE INDEX draw_records_rank ON draw_records (draw_id, stratum, pos);
CREATE TABLE callback_attempts (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    draw_id     INTEGER NOT NULL REFERENCES draws(id),
    record_id   TEXT NOT NULL,
    operator    TEXT NOT NULL,
    at          INTEGER NOT NULL,
    day         TEXT NOT NULL,
    part        TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    answers     TEXT NOT NULL DEFAULT '{}',
    remark      TEXT NOT NULL DEFAULT '',
    phone_blind TEXT NOT NULL DEFAULT '',
    rating_id   INTEGER
);
CREATE INDEX callback_attempts_record ON callback_attempts (draw_id, record_id);
CREATE INDEX callback_attempts_phone ON callback_attempts (phone_blind, at);
-- Numbers whose owners asked not to be called back (blind index only).
CREATE TABLE callback_optouts (
    hall_id      INTEGER NOT NULL REFERENCES halls(id),
    phone_blind  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (hall_id, phone_blind)
);
-- How a province numbers levels and channels in its evaluation interface.
CREATE TABLE feedback_province_codes (
    province  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    value     TEXT NOT NULL,
    code      TEXT NOT NULL,
    PRIMARY KEY (province, kind, value)
);
