-- Security: accounts bound to a hall, phones sealed at rest, throttles,
-- SMS-code limits, idempotent case acceptance (docs/security.md).

-- An account's hall. NULL only for roles that span halls (admin, auditor);
-- every other role acts in exactly this hall. Accounts linked to a staff
-- record take its hall; other existing accounts the first (demo) hall.
ALTER TABLE users ADD COLUMN hall_id INTEGER REFERENCES halls(id);
UPDATE users SET hall_id = (SELECT s.hall_id FROM staff s WHERE s.user_id = users.id)
    WHERE role NOT IN ('admin', 'auditor');
UPDATE users SET hall_id = (SELECT MIN(id) FROM halls)
    WHERE hall_id IS NULL AND role NOT IN ('admin', 'auditor');

-- A clerk signs in only at the window assigned to them or where a manager
-- named them cover (the duty area manages covers later).
ALTER TABLE windows ADD COLUMN cover_staff_id INTEGER REFERENCES staff(id);

-- Phones sealed with the PII key ring (_enc), looked up by blind index
-- (_blind, HMAC with the lookup key). The plain columns stay for old
-- binaries but are emptied by the start-up pass that seals existing rows.
ALTER TABLE tickets ADD COLUMN phone_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN phone_blind TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS tickets_phone;
CREATE INDEX tickets_phone_blind ON tickets (hall_id, phone_blind);

ALTER TABLE appointments ADD COLUMN phone_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE appointments ADD COLUMN phone_blind TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS appointments_phone;
CREATE INDEX appointments_phone_blind ON appointments (phone_blind, day);

-- SMS codes: the phone sealed and blind-indexed, the code a keyed hash;
-- source address for the per-address limit.
ALTER TABLE phone_codes ADD COLUMN phone_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE phone_codes ADD COLUMN phone_blind TEXT NOT NULL DEFAULT '';
ALTER TABLE phone_codes ADD COLUMN source TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS phone_codes_phone;
CREATE INDEX phone_codes_phone_blind ON phone_codes (phone_blind, created_at);
CREATE INDEX phone_codes_source ON phone_codes (source, created_at);
CREATE INDEX phone_codes_hall ON phone_codes (hall_id, created_at);
CREATE INDEX phone_codes_created ON phone_codes (created_at);

-- Outbox: the hall a message belongs to (managers see their hall's), the
-- recipient and body sealed, the recipient blind-indexed and masked.
ALTER TABLE outbox ADD COLUMN hall_id INTEGER REFERENCES halls(id);
ALTER TABLE outbox ADD COLUMN recipient_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN recipient_blind TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN recipient_masked TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN body_enc TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_hall ON outbox (hall_id, id);
-- Messages queued before halls were told apart belong to the first hall.
UPDATE outbox SET hall_id = (SELECT MIN(id) FROM halls) WHERE hall_id IS NULL;

-- Throttles with exponential back-off (sign-in by account and address,
-- progress look-up by case and address, by address).
CREATE TABLE throttle (
    scope          TEXT NOT NULL,
    key            TEXT NOT NULL,
    failures       INTEGER NOT NULL DEFAULT 0,
    blocked_until  INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX throttle_updated ON throttle (updated_at);

-- Server secrets shared by every instance (the signing key of page tokens).
CREATE TABLE app_secrets (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- A clerk retrying a case acceptance gets the first case back.
ALTER TABLE cases ADD COLUMN idem_key TEXT;
CREATE UNIQUE INDEX cases_idem ON cases (hall_id, idem_key);
