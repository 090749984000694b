-- Staff at their posts, the ten-minute method, complaints and suggestions
-- (投诉建议) and alerts to the duty leader (issue 14, second half).
--
-- Rules of a hall for posts and alerts: minutes a window may stand paused
-- or unattended during hours while people wait, queue and wait bounds, and
-- the working days before a complaint's deadline when reminders start.
CREATE TABLE duty_settings (
    hall_id          INTEGER PRIMARY KEY REFERENCES halls(id),
    away_minutes     INTEGER NOT NULL DEFAULT 10,
    queue_max        INTEGER NOT NULL DEFAULT 30,
    wait_minutes     INTEGER NOT NULL DEFAULT 40,
    remind_days      INTEGER NOT NULL DEFAULT 2,
    sms_recipient    TEXT NOT NULL DEFAULT ''
);
-- A short absence from a post: a registered reason and a named cover
-- (B岗顶岗) who may sign in at the window meanwhile.
CREATE TABLE post_absences (
    id           INTEGER PRIMARY KEY,
    hall_id      INTEGER NOT NULL REFERENCES halls(id),
    window_id    INTEGER NOT NULL REFERENCES windows(id),
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    cover_id     INTEGER NOT NULL REFERENCES staff(id),
    reason       TEXT NOT NULL,
    from_at      INTEGER NOT NULL,
    until_at     INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    idem_key     TEXT,
    UNIQUE (hall_id, idem_key)
);
CREATE INDEX post_absences_hall ON post_absences (hall_id, from_at);
-- Ten-minute policy briefings (十分钟政策学习) with their attendees.
CREATE TABLE briefings (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    day         TEXT NOT NULL,
    topic       TEXT NOT NULL,
    presenter   TEXT NOT NULL,
    minutes     INTEGER NOT NULL DEFAULT 10,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    idem_key    TEXT,
    UNIQUE (hall_id, idem_key)
);
CREATE TABLE briefing_attendees (
    briefing_id  INTEGER NOT NULL REFERENCES briefings(id),
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    PRIMARY KEY (briefing_id, staff_id)
);
-- Deadlines by complaint type (working or calendar days), per hall; a
-- type without a row uses the default of internal/complaints.
CREATE TABLE complaint_deadlines (
    hall_id  INTEGER NOT NULL REFERENCES halls(id),
    type     TEXT NOT NULL,
    days     INTEGER NOT NULL,
    unit     TEXT NOT NULL,
    PRIMARY KEY (hall_id, type)
);
-- A complaint, suggestion, consultation, request for help, report or
-- petition. The complainant's name, phone and the text are sealed
-- (name_enc, phone_enc, detail_enc); subject_staff_id is the staff member
-- complained about, who never sees the row.
CREATE TABLE complaints (
    id                INTEGER PRIMARY KEY,
    hall_id           INTEGER NOT NULL REFERENCES halls(id),
    number            TEXT NOT NULL,
    channel           TEXT NOT NULL,
    type              TEXT NOT NULL,
    state             TEXT NOT NULL,
    summary           TEXT NOT NULL,
    detail_enc        TEXT NOT NULL DEFAULT '',
    name_enc          TEXT NOT NULL DEFAULT '',
    phone_enc         TEXT NOT NULL DEFAULT '',
    phone_blind       TEXT NOT NULL DEFAULT '',
    hotline_order     TEXT NOT NULL DEFAULT '',
    subject_staff_id  INTEGER REFERENCES staff(id),
    subject_window_id INTEGER REFERENCES windows(id),
    item_code         TEXT NOT NULL DEFAULT '',
    receiver          TEXT NOT NULL,
    owner             TEXT NOT NULL,
    received_at       INTEGER NOT NULL,
    received_date     TEXT NOT NULL,
    accept_due        TEXT NOT NULL DEFAULT '',
    accepted_date     TEXT NOT NULL DEFAULT '',
    due               TEXT NOT NULL DEFAULT '',
    extended_days     INTEGER NOT NULL DEFAULT 0,
    resolution        TEXT NOT NULL DEFAULT '',
    resolved_at       INTEGER NOT NULL DEFAULT 0,
    replied_at        INTEGER NOT NULL DEFAULT 0,
    callback_outcome  TEXT NOT NULL DEFAULT '',
    callback_at       INTEGER NOT NULL DEFAULT 0,
    overdue           INTEGER NOT NULL DEFAULT 0,
    updated_at        INTEGER NOT NULL,
    idem_key          TEXT,
    UNIQUE (hall_id, number),
    UNIQUE (hall_id, idem_key)
);
CREATE INDEX complaints_hall ON complaints (hall_id, state, due);
-- Every step of a complaint: received, hand-over (first-receiver
-- responsibility moves only here), accepted, extended, resolved, replied,
-- callback, closed.
CREATE TABLE complaint_steps (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints(id),
    action        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    from_owner    TEXT NOT NULL DEFAULT '',
    to_owner      TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    at            INTEGER NOT NULL
);
CREATE INDEX complaint_steps_complaint ON complaint_steps (complaint_id, id);
-- Alerts to the duty leader on the floor (not integrity alerts, which are
-- for managers and auditors): ref de-duplicates an open alert of a kind.
CREATE TABLE duty_alerts (
    id           INTEGER PRIMARY KEY,
    hall_id      INTEGER NOT NULL REFERENCES halls(id),
    kind         TEXT NOT NULL,
    ref          TEXT NOT NULL,
    window_id    INTEGER REFERENCES windows(id),
    params       TEXT NOT NULL DEFAULT '[]',
    state        TEXT NOT NULL,
    raised_by    TEXT NOT NULL,
    raised_at    INTEGER NOT NULL,
    answer       TEXT NOT NULL DEFAULT '',
    ack_by       TEXT NOT NULL DEFAULT '',
    ack_at       INTEGER NOT NULL DEFAULT 0,
    closed_by    TEXT NOT NULL DEFAULT '',
    closed_at    INTEGER NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX duty_alerts_open ON duty_alerts (hall_id, kind, ref) WHERE state <> 'closed';
CREATE INDEX duty_alerts_hall ON duty_alerts (hall_id, state, raised_at);
