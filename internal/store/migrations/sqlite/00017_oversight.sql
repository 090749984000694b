-- Oversight (issue 16). Integrity alerts gain a count of occurrences, the
-- time of the last one, their evidence (audit records, tickets, cases) and
-- how often they were reopened; every close and reopen is a row of
-- integrity_alert_notes (nothing is deleted). oversight_settings holds a
-- hall's dashboard thresholds and integrity-rule thresholds (JSON,
-- internal/oversight.Settings).
ALTER TABLE integrity_alerts ADD COLUMN occurrences INTEGER NOT NULL DEFAULT 1;
ALTER TABLE integrity_alerts ADD COLUMN last_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE integrity_alerts ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';
ALTER TABLE integrity_alerts ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0;
UPDATE integrity_alerts SET last_at = at;
CREATE INDEX integrity_alerts_key ON integrity_alerts (hall_id, kind, ref);
CREATE INDEX integrity_alerts_open ON integrity_alerts (hall_id, resolved_at);
CREATE TABLE integrity_alert_notes (
    id        INTEGER PRIMARY KEY,
    alert_id  INTEGER NOT NULL REFERENCES integrity_alerts(id),
    action    TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    decision  TEXT NOT NULL DEFAULT '',
    actor     TEXT NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX integrity_alert_notes_alert ON integrity_alert_notes (alert_id, id);
CREATE TABLE oversight_settings (
    hall_id     INTEGER PRIMARY KEY REFERENCES halls(id),
    settings    TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
-- The integrity scan and the dashboard read these by time.
CREATE INDEX tickets_hall_issued ON tickets (hall_id, issued_at);
CREATE INDEX audit_log_object ON audit_log (object, at);
