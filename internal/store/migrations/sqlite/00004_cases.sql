-- Case ledger (业务台账): cases accepted against the guide in force, their
-- checklists, history, correction periods; integrity alerts; the working-day
-- calendar's overrides; failed progress look-ups (guessing throttle).
--
-- Personal data: applicant name, ID number and phone are sealed (AES-GCM,
-- key outside the database, see internal/pii); *_masked columns hold the
-- display forms, id_number_blind an HMAC for exact look-up, *_last4 the
-- check code of the public progress look-up.
CREATE TABLE cases (
    id                     INTEGER PRIMARY KEY,
    number                 TEXT NOT NULL UNIQUE,
    hall_id                INTEGER NOT NULL REFERENCES halls(id),
    zone                   TEXT NOT NULL,
    item_code              TEXT NOT NULL,
    item_name              TEXT NOT NULL,
    guide_version          INTEGER NOT NULL,
    guide_effective        TEXT NOT NULL DEFAULT '',
    ticket_id              INTEGER,
    applicant_kind         TEXT NOT NULL,
    applicant_name_enc     TEXT NOT NULL,
    applicant_name_masked  TEXT NOT NULL,
    id_number_enc          TEXT NOT NULL DEFAULT '',
    id_number_blind        TEXT NOT NULL DEFAULT '',
    id_number_masked       TEXT NOT NULL DEFAULT '',
    id_last4               TEXT NOT NULL DEFAULT '',
    phone_enc              TEXT NOT NULL DEFAULT '',
    phone_masked           TEXT NOT NULL DEFAULT '',
    phone_last4            TEXT NOT NULL DEFAULT '',
    employer_name          TEXT NOT NULL DEFAULT '',
    credit_code            TEXT NOT NULL DEFAULT '',
    staff_id               INTEGER REFERENCES staff(id),
    staff_user             TEXT NOT NULL,
    accepted_at            INTEGER NOT NULL,
    accepted_date          TEXT NOT NULL,
    pledged_n              INTEGER NOT NULL,
    pledged_unit           TEXT NOT NULL,
    pledged_due            TEXT NOT NULL DEFAULT '',
    statutory_n            INTEGER NOT NULL DEFAULT 0,
    statutory_unit         TEXT NOT NULL DEFAULT '',
    statutory_due          TEXT NOT NULL DEFAULT '',
    state                  TEXT NOT NULL,
    closed_date            TEXT NOT NULL DEFAULT '',
    reason                 TEXT NOT NULL DEFAULT '',
    legal_basis            TEXT NOT NULL DEFAULT '',
    delivery               TEXT NOT NULL,
    notes                  TEXT NOT NULL DEFAULT '',
    updated_at             INTEGER NOT NULL
);
CREATE INDEX cases_hall_date ON cases (hall_id, accepted_date);
CREATE INDEX cases_blind ON cases (id_number_blind);
CREATE INDEX cases_staff_state ON cases (staff_id, state);
CREATE INDEX cases_state_due ON cases (state, pledged_due);
CREATE TABLE case_materials (
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    seq           INTEGER NOT NULL,
    name          TEXT NOT NULL,
    form          TEXT NOT NULL,
    count         INTEGER NOT NULL,
    requirement   TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    extra         INTEGER NOT NULL DEFAULT 0,
    extra_reason  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, seq),
    UNIQUE (case_id, name)
);
CREATE TABLE case_steps (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    at          INTEGER NOT NULL,
    date        TEXT NOT NULL,
    action      TEXT NOT NULL,
    state       TEXT NOT NULL,
    staff_user  TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_steps_case ON case_steps (case_id, id);
CREATE TABLE case_corrections (
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    seq          INTEGER NOT NULL,
    stop_date    TEXT NOT NULL,
    resume_date  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, seq)
);
-- Shared with the queue area (calling out of turn …): created only if absent.
CREATE TABLE IF NOT EXISTS integrity_alerts (
    id           INTEGER PRIMARY KEY,
    hall_id      INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    ref          TEXT NOT NULL,
    detail       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           INTEGER NOT NULL,
    resolved_at  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS integrity_alerts_hall ON integrity_alerts (hall_id, at);
CREATE TABLE calendar_overrides (
    date        TEXT PRIMARY KEY,
    work        INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE TABLE calendar_known_years (
    year        INTEGER PRIMARY KEY,
    note        TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE TABLE case_lookup_failures (
    id      INTEGER PRIMARY KEY,
    number  TEXT NOT NULL,
    ip      TEXT NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX case_lookup_failures_number ON case_lookup_failures (number, at);
