-- A grouped write on PostgreSQL defers the steps of its tickets (a call,
-- a start, a finish) to one statement at the end of its group
-- (store/deferred.go), written from what the group knows of each ticket
-- under the hall's lock. Should a ticket not be in the state the group
-- knew (a change by a writer that bypassed the lock), that statement fails
-- with this function rather than overwrite the change, and the group is
-- redone from fresh reads.
CREATE FUNCTION mingbai_step_stale(ticket BIGINT, expected TEXT, found TEXT) RETURNS BOOLEAN
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION 'ticket % is %, not % as its grouped write knew it', ticket, found, expected;
END
$$;
