-- Acceptance done right and guide review (issue 11).
--
-- A reviewer may return a draft guide version to its author with a comment
-- instead of publishing it. The draft keeps its state (draft) and its
-- content; returned_at > 0 marks it returned, and it can no longer be
-- published: the author saves a corrected draft, which is a new version.
ALTER TABLE guide_versions ADD COLUMN returned_by TEXT NOT NULL DEFAULT '';
ALTER TABLE guide_versions ADD COLUMN returned_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE guide_versions ADD COLUMN return_comment TEXT NOT NULL DEFAULT '';
-- 容缺受理: a case accepted although required materials were missing,
-- because the item allows it and the clerk chose it; supply_by is the date
-- (YYYY-MM-DD) the applicant promised to hand them in.
ALTER TABLE cases ADD COLUMN deferred_accept INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN supply_by TEXT NOT NULL DEFAULT '';
