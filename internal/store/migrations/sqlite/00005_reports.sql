-- Reports: a covering index for the monthly ticket report, so that a month
-- of one hall is read from the index alone, in (day, item) order, without
-- touching the table rows.
CREATE INDEX tickets_report ON tickets (hall_id, day, item_code, state, issued_at, called_at, started_at, finished_at);
