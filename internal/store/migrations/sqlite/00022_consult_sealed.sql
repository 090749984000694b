-- Consultation messages and WeChat OpenIDs are personal data: message
-- bodies are sealed (body_enc) and a WeChat thread is found by the blind
-- index of its OpenID (graduate_key) with the OpenID itself sealed
-- (openid_enc) for replies. Rows of older versions are sealed at start-up
-- (store.SealPlainPhones).
ALTER TABLE consult_messages ADD COLUMN body_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE consult_threads ADD COLUMN openid_enc TEXT NOT NULL DEFAULT '';
