-- Integrity alerts are stored structured: a kind and its parameters as a
-- JSON object (store/integrity_alerts.go), rendered in the reader's
-- language. Existing rows get their parameters from the text they had.
ALTER TABLE integrity_alerts ADD COLUMN params TEXT NOT NULL DEFAULT '{}';

UPDATE integrity_alerts
SET params = json_build_object(
        'material', split_part(detail, '｜', 1),
        'reason', substr(detail, strpos(detail, '｜') + 1))::text
WHERE kind = 'case.extra_material' AND strpos(detail, '｜') > 0;

-- "A001 called at window 3 out of turn; reason: …"
UPDATE integrity_alerts
SET params = json_build_object(
        'ticket', m[1], 'window', m[2], 'reason', m[3])::text
FROM (SELECT id AS mid, regexp_match(detail, '^(\S+) called at window (\S+) out of turn; reason: (.*)$') AS m
      FROM integrity_alerts WHERE kind = 'queue.out_of_turn') AS parsed
WHERE integrity_alerts.id = parsed.mid AND parsed.m IS NOT NULL;
