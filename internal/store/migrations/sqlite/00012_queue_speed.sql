-- Queue speed (perf): the per-zone waiting counts that every ticket event
-- carries are read from this index alone, in zone order, instead of one
-- table row per waiting ticket.
CREATE INDEX tickets_waiting_zone ON tickets (hall_id, day, state, zone);
