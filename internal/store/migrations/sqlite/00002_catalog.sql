-- Service guides (catalogue): items, their versioned guides and the search
-- index over the published versions.
--
-- catalog_items holds one row per item code. published_version is the
-- number of the version in force (0 while the item was never published);
-- content and search_text copy that version's guide JSON and
-- catalog.SearchText, so that public reads never touch drafts.
CREATE TABLE catalog_items (
    code               TEXT PRIMARY KEY,
    zone               TEXT NOT NULL,
    name               TEXT NOT NULL,
    published_version  INTEGER NOT NULL DEFAULT 0,
    content            TEXT NOT NULL DEFAULT '',
    search_text        TEXT NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX catalog_items_zone ON catalog_items (zone, code);
-- Every save of a guide is a version: drafts, the published one and the
-- superseded ones, kept for the record. published_at and superseded_at
-- bound the period in which a version was in force (GuideAt).
CREATE TABLE guide_versions (
    id              INTEGER PRIMARY KEY,
    item_code       TEXT NOT NULL REFERENCES catalog_items(code),
    number          INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('draft', 'published', 'superseded')),
    content         TEXT NOT NULL,
    author          TEXT NOT NULL,
    reviewer        TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    published_at    INTEGER NOT NULL DEFAULT 0,
    superseded_at   INTEGER NOT NULL DEFAULT 0,
    effective_date  TEXT NOT NULL DEFAULT '',
    UNIQUE (item_code, number)
);
CREATE INDEX guide_versions_in_force ON guide_versions (item_code, published_at);
-- Substring search over the published guides: the trigram tokenizer
-- matches any substring of three or more characters; shorter queries use
-- catalog_bigrams (two characters) or a scan of catalog_items.search_text.
CREATE VIRTUAL TABLE catalog_fts USING fts5 (code UNINDEXED, body, tokenize = 'trigram');
CREATE TABLE catalog_bigrams (
    gram       TEXT NOT NULL,
    item_code  TEXT NOT NULL,
    PRIMARY KEY (gram, item_code)
) WITHOUT ROWID;
CREATE INDEX catalog_bigrams_item ON catalog_bigrams (item_code);
