-- Graduate consultation (就业咨询): one thread per graduate per channel
-- (WeChat follower or web visitor confirmed by SMS), rounds of a thread
-- (from the question that needs a person to resolution, with its timers
-- and rating), messages (with internal notes), the FAQ knowledge base,
-- canned replies, per-hall settings and low ratings flagged for
-- rectification.
--
-- Personal data: the phone of a web visitor is sealed (phone_enc, see
-- internal/pii); graduate_key is the WeChat OpenID or the phone's blind
-- index, never the phone itself.
CREATE TABLE consult_settings (
    hall_id              INTEGER PRIMARY KEY REFERENCES halls(id),
    staffed_open         TEXT NOT NULL DEFAULT '09:00',
    staffed_close        TEXT NOT NULL DEFAULT '17:00',
    first_response_min   INTEGER NOT NULL DEFAULT 120,
    resolution_min       INTEGER NOT NULL DEFAULT 1440,
    updated_at           INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE consult_threads (
    id               INTEGER PRIMARY KEY,
    hall_id          INTEGER NOT NULL REFERENCES halls(id),
    channel          TEXT NOT NULL,
    graduate_key     TEXT NOT NULL,
    phone_enc        TEXT NOT NULL DEFAULT '',
    phone_masked     TEXT NOT NULL DEFAULT '',
    web_token        TEXT UNIQUE,
    status           TEXT NOT NULL,
    assignee         TEXT NOT NULL DEFAULT '',
    tags             TEXT NOT NULL DEFAULT '',
    round_id         INTEGER NOT NULL DEFAULT 0,
    awaiting_since   INTEGER NOT NULL DEFAULT 0,
    with_person      INTEGER NOT NULL DEFAULT 0,
    last_inbound_at  INTEGER NOT NULL DEFAULT 0,
    kf_since         INTEGER NOT NULL DEFAULT 0,
    snooze_until     INTEGER NOT NULL DEFAULT 0,
    offer            TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (hall_id, channel, graduate_key)
);
CREATE INDEX consult_threads_queue ON consult_threads (hall_id, status, awaiting_since);

CREATE TABLE consult_rounds (
    id                 INTEGER PRIMARY KEY,
    thread_id          INTEGER NOT NULL REFERENCES consult_threads(id),
    hall_id            INTEGER NOT NULL REFERENCES halls(id),
    opened_at          INTEGER NOT NULL,
    opened_date        TEXT NOT NULL,
    needs_person_at    INTEGER NOT NULL DEFAULT 0,
    first_response_at  INTEGER NOT NULL DEFAULT 0,
    resolved_at        INTEGER NOT NULL DEFAULT 0,
    resolved_by        TEXT NOT NULL DEFAULT '',
    rating             INTEGER NOT NULL DEFAULT 0,
    rated_at           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX consult_rounds_day ON consult_rounds (hall_id, opened_date);

CREATE TABLE consult_messages (
    id          INTEGER PRIMARY KEY,
    thread_id   INTEGER NOT NULL REFERENCES consult_threads(id),
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    round_id    INTEGER NOT NULL DEFAULT 0,
    direction   TEXT NOT NULL,
    author      TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    via         TEXT NOT NULL DEFAULT '',
    delivery    TEXT NOT NULL DEFAULT '',
    faq_code    TEXT NOT NULL DEFAULT '',
    dedupe_key  TEXT UNIQUE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX consult_messages_thread ON consult_messages (thread_id, id);

CREATE TABLE consult_faq (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    code        TEXT NOT NULL,
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    source      TEXT NOT NULL,
    effective   TEXT NOT NULL,
    review      TEXT NOT NULL,
    keywords    TEXT NOT NULL,
    retired     INTEGER NOT NULL DEFAULT 0,
    updated_by  TEXT NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL,
    UNIQUE (hall_id, code)
);

CREATE TABLE consult_canned (
    id       INTEGER PRIMARY KEY,
    hall_id  INTEGER NOT NULL REFERENCES halls(id),
    shortcut TEXT NOT NULL,
    title    TEXT NOT NULL,
    body     TEXT NOT NULL,
    UNIQUE (hall_id, shortcut)
);

-- Ratings at the two lowest levels wait here for the feedback area's
-- rectification flow (state open → taken once it takes them over).
CREATE TABLE consult_flags (
    id          INTEGER PRIMARY KEY,
    hall_id     INTEGER NOT NULL REFERENCES halls(id),
    thread_id   INTEGER NOT NULL REFERENCES consult_threads(id),
    round_id    INTEGER NOT NULL,
    level       INTEGER NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT 'open',
    created_at  INTEGER NOT NULL,
    UNIQUE (round_id)
);
