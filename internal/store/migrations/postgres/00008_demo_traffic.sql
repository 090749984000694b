-- The living demo hall: a window session opened by a simulated clerk is
-- marked, so that a person signing in at the window takes it over (and a
-- simulated clerk never takes a window from a person).
ALTER TABLE window_sessions ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0;
