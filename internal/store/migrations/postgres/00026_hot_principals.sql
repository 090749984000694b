-- Each instance keeps the accounts of staff API tokens and sessions in
-- memory while its event listener is connected (store/hotcache.go). The
-- store functions that change them send "hot:principals" on the events
-- channel themselves; these triggers send it for every other writer too
-- (a command, code yet to be written, an operator's SQL), so that no path
-- can change who a token or session signs in as and leave the instances
-- serving the old answer. The NOTIFY is delivered at the commit, and
-- PostgreSQL sends identical ones of a transaction once, so a bulk change
-- costs one. Only the columns a principal is made of fire them: the
-- last_used that device_seen.go writes every minute does not.
--
-- The channel is the one store/events.go listens on: "mingbai_events_" and
-- the schema of the tables in lower case, without any character but a-z,
-- 0-9 and _ (notifyChannel takes current_schema(), where the instance
-- created them; TG_TABLE_SCHEMA is the same for the instance and right
-- also for a writer whose search_path differs).
CREATE FUNCTION mingbai_hot_principals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mingbai_events_' || regexp_replace(lower(TG_TABLE_SCHEMA), '[^a-z0-9_]', '', 'g'), 'hot:principals');
    RETURN NULL;
END $$;

CREATE TRIGGER hot_principals_upd AFTER UPDATE ON api_tokens FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.token_hash IS DISTINCT FROM NEW.token_hash)
    EXECUTE FUNCTION mingbai_hot_principals();
CREATE TRIGGER hot_principals_del AFTER DELETE ON api_tokens FOR EACH ROW EXECUTE FUNCTION mingbai_hot_principals();

-- A session is only created and ended: any other change is unusual enough
-- to drop for.
CREATE TRIGGER hot_principals_upd_del AFTER UPDATE OR DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION mingbai_hot_principals();

CREATE TRIGGER hot_principals_upd AFTER UPDATE ON users FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.hall_id IS DISTINCT FROM NEW.hall_id OR OLD.disabled IS DISTINCT FROM NEW.disabled
          OR OLD.username IS DISTINCT FROM NEW.username OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION mingbai_hot_principals();
CREATE TRIGGER hot_principals_del AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION mingbai_hot_principals();

-- A principal names its account's staff record and, when the account has
-- none of its own, the record's hall (userFrom in store/accounts.go).
CREATE TRIGGER hot_principals_ins AFTER INSERT ON staff FOR EACH ROW
    WHEN (NEW.user_id IS NOT NULL)
    EXECUTE FUNCTION mingbai_hot_principals();
CREATE TRIGGER hot_principals_upd AFTER UPDATE ON staff FOR EACH ROW
    WHEN ((OLD.user_id IS NOT NULL OR NEW.user_id IS NOT NULL)
          AND (OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.hall_id IS DISTINCT FROM NEW.hall_id OR OLD.id IS DISTINCT FROM NEW.id))
    EXECUTE FUNCTION mingbai_hot_principals();
CREATE TRIGGER hot_principals_del AFTER DELETE ON staff FOR EACH ROW
    WHEN (OLD.user_id IS NOT NULL)
    EXECUTE FUNCTION mingbai_hot_principals();

-- Row triggers do not fire on TRUNCATE ("sign everybody out").
CREATE TRIGGER hot_principals_truncate AFTER TRUNCATE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION mingbai_hot_principals();
CREATE TRIGGER hot_principals_truncate AFTER TRUNCATE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION mingbai_hot_principals();
CREATE TRIGGER hot_principals_truncate AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION mingbai_hot_principals();
CREATE TRIGGER hot_principals_truncate AFTER TRUNCATE ON staff FOR EACH STATEMENT EXECUTE FUNCTION mingbai_hot_principals();
