-- Complaints and suggestions (投诉建议) count in the daily rollups on the
-- day they were received, under the window and staff member they name.
CREATE TRIGGER rollup_complaints_ins AFTER INSERT ON complaints BEGIN
    INSERT INTO rollup_dirty (hall_id, day) VALUES (NEW.hall_id, NEW.received_date);
END;
CREATE TRIGGER rollup_complaints_upd AFTER UPDATE OF received_date, subject_staff_id, subject_window_id, item_code, hall_id ON complaints BEGIN
    INSERT INTO rollup_dirty (hall_id, day) VALUES (NEW.hall_id, NEW.received_date);
    INSERT INTO rollup_dirty (hall_id, day) SELECT OLD.hall_id, OLD.received_date WHERE OLD.received_date <> NEW.received_date OR OLD.hall_id <> NEW.hall_id;
END;
