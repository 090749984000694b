-- Reports: daily rollups per hall, local day, zone, item, window and staff
-- (0 = none), so that a report reads halls × days × keys rows and never
-- the tickets. A rollup row is recomputed from the raw rows of its hall
-- and day (store/rollup.go); triggers below mark the hall-days a write
-- touched in rollup_dirty, in the writer's own transaction, so that no
-- change is lost on a crash. Definitions of every figure: docs/oversight.md.
CREATE TABLE rollup_daily (
    hall_id              INTEGER NOT NULL REFERENCES halls(id),
    day                  TEXT NOT NULL,
    zone                 TEXT NOT NULL,
    item_code            TEXT NOT NULL,
    window_id            INTEGER NOT NULL DEFAULT 0,
    staff_id             INTEGER NOT NULL DEFAULT 0,
    visits               INTEGER NOT NULL DEFAULT 0,
    called               INTEGER NOT NULL DEFAULT 0,
    wait_sum_ms          INTEGER NOT NULL DEFAULT 0,
    wait_max_ms          INTEGER NOT NULL DEFAULT 0,
    wait_within10        INTEGER NOT NULL DEFAULT 0,
    wait_hist            TEXT NOT NULL DEFAULT '',
    served               INTEGER NOT NULL DEFAULT 0,
    service_sum_ms       INTEGER NOT NULL DEFAULT 0,
    service_max_ms       INTEGER NOT NULL DEFAULT 0,
    service_hist         TEXT NOT NULL DEFAULT '',
    no_shows             INTEGER NOT NULL DEFAULT 0,
    cancelled            INTEGER NOT NULL DEFAULT 0,
    transfers            INTEGER NOT NULL DEFAULT 0,
    cases_accepted       INTEGER NOT NULL DEFAULT 0,
    cases_completed      INTEGER NOT NULL DEFAULT 0,
    cases_completed_late INTEGER NOT NULL DEFAULT 0,
    cases_due            INTEGER NOT NULL DEFAULT 0,
    cases_due_met        INTEGER NOT NULL DEFAULT 0,
    corrections          INTEGER NOT NULL DEFAULT 0,
    ratings              INTEGER NOT NULL DEFAULT 0,
    rating_sum           INTEGER NOT NULL DEFAULT 0,
    rating_satisfied     INTEGER NOT NULL DEFAULT 0,
    rating_bad           INTEGER NOT NULL DEFAULT 0,
    callbacks            INTEGER NOT NULL DEFAULT 0,
    callback_sum         INTEGER NOT NULL DEFAULT 0,
    callback_satisfied   INTEGER NOT NULL DEFAULT 0,
    -- Complaints (投诉建议): the complaints area is not wired yet; zero.
    complaints           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hall_id, day, zone, item_code, window_id, staff_id)
);
CREATE INDEX rollup_daily_day ON rollup_daily (day, hall_id);
-- Correction (补正) reasons: the materials marked missing when a case was
-- sent back for correction, per rollup key.
CREATE TABLE rollup_reasons (
    hall_id    INTEGER NOT NULL REFERENCES halls(id),
    day        TEXT NOT NULL,
    zone       TEXT NOT NULL,
    item_code  TEXT NOT NULL,
    window_id  INTEGER NOT NULL DEFAULT 0,
    staff_id   INTEGER NOT NULL DEFAULT 0,
    reason     TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (hall_id, day, zone, item_code, window_id, staff_id, reason)
);
-- The materials missing at each correction request of a case.
CREATE TABLE case_correction_reasons (
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    seq       INTEGER NOT NULL,
    day       TEXT NOT NULL,
    material  TEXT NOT NULL,
    PRIMARY KEY (case_id, seq, material)
);
CREATE INDEX case_correction_reasons_day ON case_correction_reasons (day);
-- Hall-days whose rollups are stale: appended by the triggers, removed by
-- the rollup job once it has recomputed them (exactly the ids it read).
CREATE TABLE rollup_dirty (
    id       INTEGER PRIMARY KEY,
    hall_id  INTEGER NOT NULL,
    day      TEXT NOT NULL
);
-- One row taken by every rollup writer, so that two never recompute the
-- same hall-day at once (PostgreSQL; SQLite has one writer anyway).
CREATE TABLE rollup_lock (
    id  INTEGER PRIMARY KEY,
    n   INTEGER NOT NULL
);
INSERT INTO rollup_lock (id, n) VALUES (1, 0);
CREATE INDEX cases_hall_closed ON cases (hall_id, closed_date);
CREATE INDEX cases_hall_due ON cases (hall_id, pledged_due);
CREATE INDEX case_steps_date ON case_steps (date, action);

CREATE TRIGGER rollup_tickets_ins AFTER INSERT ON tickets BEGIN
    INSERT INTO rollup_dirty (hall_id, day) VALUES (NEW.hall_id, NEW.day);
END;
CREATE TRIGGER rollup_tickets_upd AFTER UPDATE OF state, called_at, started_at, finished_at, item_code, zone, window_id, staff_id, day, hall_id ON tickets BEGIN
    INSERT INTO rollup_dirty (hall_id, day) VALUES (NEW.hall_id, NEW.day);
    INSERT INTO rollup_dirty (hall_id, day) SELECT OLD.hall_id, OLD.day WHERE OLD.day <> NEW.day OR OLD.hall_id <> NEW.hall_id;
END;
CREATE TRIGGER rollup_transfer AFTER INSERT ON ticket_transitions WHEN NEW.action = 'transfer' BEGIN
    INSERT INTO rollup_dirty (hall_id, day) SELECT hall_id, day FROM tickets WHERE id = NEW.ticket_id;
END;
CREATE TRIGGER rollup_cases_ins AFTER INSERT ON cases BEGIN
    INSERT INTO rollup_dirty (hall_id, day) VALUES (NEW.hall_id, NEW.accepted_date);
    INSERT INTO rollup_dirty (hall_id, day) SELECT NEW.hall_id, NEW.pledged_due WHERE NEW.pledged_due <> '' AND NEW.pledged_due <> NEW.accepted_date;
END;
CREATE TRIGGER rollup_cases_upd AFTER UPDATE OF state, closed_date, pledged_due, accepted_date, staff_id, zone, item_code, ticket_id, hall_id ON cases BEGIN
    INSERT INTO rollup_dirty (hall_id, day) VALUES (NEW.hall_id, NEW.accepted_date);
    INSERT INTO rollup_dirty (hall_id, day) SELECT NEW.hall_id, NEW.closed_date WHERE NEW.closed_date <> '';
    INSERT INTO rollup_dirty (hall_id, day) SELECT NEW.hall_id, NEW.pledged_due WHERE NEW.pledged_due <> '';
    INSERT INTO rollup_dirty (hall_id, day) SELECT OLD.hall_id, OLD.closed_date WHERE OLD.closed_date <> '' AND OLD.closed_date <> NEW.closed_date;
    INSERT INTO rollup_dirty (hall_id, day) SELECT OLD.hall_id, OLD.pledged_due WHERE OLD.pledged_due <> '' AND OLD.pledged_due <> NEW.pledged_due;
    INSERT INTO rollup_dirty (hall_id, day) SELECT OLD.hall_id, OLD.accepted_date WHERE OLD.accepted_date <> NEW.accepted_date OR OLD.hall_id <> NEW.hall_id;
END;
CREATE TRIGGER rollup_case_steps AFTER INSERT ON case_steps WHEN NEW.action = 'correction' BEGIN
    INSERT INTO rollup_dirty (hall_id, day) SELECT hall_id, NEW.date FROM cases WHERE id = NEW.case_id;
END;
CREATE TRIGGER rollup_correction_reasons AFTER INSERT ON case_correction_reasons BEGIN
    INSERT INTO rollup_dirty (hall_id, day) SELECT hall_id, NEW.day FROM cases WHERE id = NEW.case_id;
END;
CREATE TRIGGER rollup_ratings_ins AFTER INSERT ON ratings BEGIN
    INSERT INTO rollup_dirty (hall_id, day) VALUES (NEW.hall_id, NEW.rated_date);
END;
CREATE TRIGGER rollup_ratings_upd AFTER UPDATE OF invalid, overall, channel, rated_date, staff_id, window_id, zone, item_code ON ratings BEGIN
    INSERT INTO rollup_dirty (hall_id, day) VALUES (NEW.hall_id, NEW.rated_date);
    INSERT INTO rollup_dirty (hall_id, day) SELECT OLD.hall_id, OLD.rated_date WHERE OLD.rated_date <> NEW.rated_date;
END;
