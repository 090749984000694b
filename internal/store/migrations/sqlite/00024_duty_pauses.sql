-- Every pause of a window session, once it has ended (resumed or signed
-- out): the session table keeps only its current state, so without these
-- a window paused several times would count only its last pause as away
-- from post. A pause in progress is the session's state since updated_at.
CREATE TABLE window_pauses (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    window_id   INTEGER NOT NULL REFERENCES windows(id),
    session_id  INTEGER NOT NULL REFERENCES window_sessions(id),
    staff_id    INTEGER REFERENCES staff(id),
    from_at     INTEGER NOT NULL,
    until_at    INTEGER NOT NULL
);
CREATE INDEX window_pauses_hall ON window_pauses (hall_id, from_at);
CREATE INDEX window_pauses_window ON window_pauses (window_id, until_at);
-- Duty alerts by SMS to the leader on duty now (by the published roster)
-- instead of the hall's number, which remains the fallback.
ALTER TABLE duty_settings ADD COLUMN sms_to_leader INTEGER NOT NULL DEFAULT 0;
-- A duty leader's mobile number, sealed with the personal-data key, for
-- duty alerts by SMS while the leader is on duty.
ALTER TABLE users ADD COLUMN phone_enc TEXT NOT NULL DEFAULT '';
