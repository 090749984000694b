-- Queue speed (perf). The per-zone waiting counts that every ticket event
-- carries are read from the first index alone, in zone order, instead of
-- one table row per waiting ticket; the waiting list that calls and
-- estimates replay comes in queue order from the second; the recent calls
-- a screen shows on connecting from the third, newest first, instead of a
-- scan of the day's tickets.
CREATE INDEX tickets_waiting_zone ON tickets (hall_id, day, state, zone);
CREATE INDEX tickets_waiting_order ON tickets (hall_id, day, state, issued_at, id);
CREATE INDEX tickets_calls ON tickets (hall_id, day, called_at);
