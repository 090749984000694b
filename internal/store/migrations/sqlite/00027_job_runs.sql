-- The periodic hall-wide jobs of `mingbai serve` (cmd/mingbai/jobs.go):
-- when each is next due, and which instance last took it. With several
-- instances on one database each period's run is taken by one of them
-- (store/jobs.go, ClaimJob) instead of every instance scanning every hall.
CREATE TABLE job_runs (
    name      TEXT PRIMARY KEY,
    due_at    INTEGER NOT NULL,
    instance  TEXT NOT NULL,
    taken_at  INTEGER NOT NULL
);
