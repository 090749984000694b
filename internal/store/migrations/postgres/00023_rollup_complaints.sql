-- Complaints and suggestions (投诉建议) count in the daily rollups on the
-- day they were received, under the window and staff member they name.
CREATE FUNCTION rollup_mark_complaint() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty (hall_id, day) VALUES (NEW.hall_id, NEW.received_date);
    IF TG_OP = 'UPDATE' AND (OLD.received_date <> NEW.received_date OR OLD.hall_id <> NEW.hall_id) THEN
        INSERT INTO rollup_dirty (hall_id, day) VALUES (OLD.hall_id, OLD.received_date);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER rollup_complaints_ins AFTER INSERT ON complaints FOR EACH ROW EXECUTE FUNCTION rollup_mark_complaint();
CREATE TRIGGER rollup_complaints_upd AFTER UPDATE OF received_date, subject_staff_id, subject_window_id, item_code, hall_id ON complaints FOR EACH ROW EXECUTE FUNCTION rollup_mark_complaint();
