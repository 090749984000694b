-- Integrity alerts are stored structured: a kind and its parameters as a
-- JSON object (store/integrity_alerts.go), rendered in the reader's
-- language. Existing rows get their parameters from the text they had.
ALTER TABLE integrity_alerts ADD COLUMN params TEXT NOT NULL DEFAULT '{}';

UPDATE integrity_alerts
SET params = json_object(
        'material', substr(detail, 1, instr(detail, '｜') - 1),
        'reason', substr(detail, instr(detail, '｜') + 1))
WHERE kind = 'case.extra_material' AND instr(detail, '｜') > 0;

-- "A001 called at window 3 out of turn; reason: …"
UPDATE integrity_alerts
SET params = json_object(
        'ticket', substr(detail, 1, instr(detail, ' called at window ') - 1),
        'window', substr(substr(detail, instr(detail, ' called at window ') + 18), 1,
                         instr(substr(detail, instr(detail, ' called at window ') + 18), ' out of turn; reason: ') - 1),
        'reason', substr(detail, instr(detail, ' out of turn; reason: ') + 22))
WHERE kind = 'queue.out_of_turn' AND instr(detail, ' called at window ') > 0 AND instr(detail, ' out of turn; reason: ') > 0;
