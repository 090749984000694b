-- Leaders on duty (领导值班): the monthly roster of shifts, swap requests
-- between leaders, the duty console's logs (guided visitors, questions
-- answered, window spot checks) and each hall's spot-check checklist.
CREATE TABLE duty_shifts (
    id             INTEGER PRIMARY KEY,
    hall_id        INTEGER NOT NULL REFERENCES halls(id),
    day            TEXT NOT NULL,
    half           TEXT NOT NULL,
    start_hm       TEXT NOT NULL,
    end_hm         TEXT NOT NULL,
    post           TEXT NOT NULL,
    leader_id      INTEGER NOT NULL REFERENCES users(id),
    deputy_id      INTEGER REFERENCES users(id),
    state          TEXT NOT NULL DEFAULT 'draft',
    idem_key       TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    checked_in_at  INTEGER NOT NULL DEFAULT 0,
    checked_in_by  INTEGER REFERENCES users(id),
    checked_out_at INTEGER NOT NULL DEFAULT 0,
    handover       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX duty_shifts_slot ON duty_shifts (hall_id, day, start_hm, end_hm, post);
CREATE UNIQUE INDEX duty_shifts_idem ON duty_shifts (hall_id, idem_key);
CREATE INDEX duty_shifts_leader ON duty_shifts (leader_id, day);
CREATE TABLE duty_swaps (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    shift_id    INTEGER NOT NULL REFERENCES duty_shifts(id),
    from_id     INTEGER NOT NULL REFERENCES users(id),
    to_id       INTEGER NOT NULL REFERENCES users(id),
    reason      TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    idem_key    TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX duty_swaps_idem ON duty_swaps (hall_id, idem_key);
CREATE INDEX duty_swaps_hall ON duty_swaps (hall_id, state);
CREATE TABLE duty_logs (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    shift_id    INTEGER NOT NULL REFERENCES duty_shifts(id),
    kind        TEXT NOT NULL,
    by_id       INTEGER NOT NULL REFERENCES users(id),
    zone        TEXT NOT NULL DEFAULT '',
    item        TEXT NOT NULL DEFAULT '',
    topic       TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL DEFAULT '',
    window_id   INTEGER REFERENCES windows(id),
    checks      TEXT NOT NULL DEFAULT '',
    finding     TEXT NOT NULL DEFAULT '',
    handling    TEXT NOT NULL DEFAULT '',
    idem_key    TEXT,
    at          INTEGER NOT NULL
);
CREATE UNIQUE INDEX duty_logs_idem ON duty_logs (hall_id, idem_key);
CREATE INDEX duty_logs_shift ON duty_logs (shift_id, kind);
CREATE TABLE duty_checklists (
    hall_id     INTEGER PRIMARY KEY REFERENCES halls(id),
    items       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
