package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"mingbai/internal/apperr"
	"mingbai/internal/catalog"
)

// The catalogue store keeps every version of every guide. catalog_items has
// one row per item code with a copy of the published version (content,
// search_text), so that public reads and search never see drafts; the
// search index (catalog_fts on SQLite, a pg_trgm index on PostgreSQL, and
// catalog_bigrams on both) covers published content only.

// MaxReasonLen bounds the reason given for a new guide version.
const MaxReasonLen = 200

// CatalogError is the error of a rejected catalogue file or guide draft: an
// invalid-input apperr.Error with one Detail per problem (Ref = item code,
// Field = field path, Message in Simplified Chinese), and the problems
// themselves, so that the web layer can phrase them in the caller's
// language. apperr.As finds the apperr.Error inside.
type CatalogError struct {
	Err      *apperr.Error
	Problems catalog.Problems
}

// Error lists the problems in English.
func (e *CatalogError) Error() string { return e.Problems.Error() }

// Unwrap returns the application error.
func (e *CatalogError) Unwrap() error { return e.Err }

// NewCatalogError returns the CatalogError of a list of problems.
func NewCatalogError(ps catalog.Problems) error { return problemsError(ps) }

func problemsError(ps catalog.Problems) error {
	e := apperr.New(apperr.Invalid, "catalog.rejected", len(ps))
	for _, p := range ps {
		ref := p.Item
		if ref == "" && p.Index >= 0 {
			ref = "items[" + strconv.Itoa(p.Index) + "]"
		}
		e.Details = append(e.Details, apperr.Detail{Ref: ref, Field: p.Field, Message: p.Zh})
	}
	if len(ps) > 0 {
		e.Field = ps[0].Field
	}
	return &CatalogError{Err: e, Problems: ps}
}

// CatalogZones returns the zone codes catalogue items may name: the codes
// of the halls' zones, or catalog.StandardZones while no hall has any.
func (db *DB) CatalogZones(ctx context.Context) ([]string, error) {
	var zones []string
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		zones, err = zoneCodes(tx)
		return err
	})
	return zones, err
}

func zoneCodes(tx *Tx) ([]string, error) {
	rows, err := tx.Query("SELECT DISTINCT code FROM zones ORDER BY code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		out = slices.Clone(catalog.StandardZones)
	}
	return out, nil
}

// ImportResult reports what an import did.
type ImportResult struct {
	// Items is the number of items imported; each got a new published
	// version.
	Items int `json:"items"`
	// Created is how many of them were new to the catalogue.
	Created int `json:"created"`
}

// ImportCatalog reads a catalogue file (catalog.Load: strict parsing and
// validation against the halls' zone codes) and publishes a new version of
// every item in it, in one transaction with one audit record. A file with
// any problem is rejected as a whole with a CatalogError listing every
// problem; the catalogue is then unchanged. Items of the catalogue that the
// file does not mention are left as they are. Import is for admins and the
// command line: the importing account is both author and reviewer.
func (db *DB) ImportCatalog(ctx context.Context, data []byte) (ImportResult, error) {
	var res ImportResult
	err := db.Write(ctx, func(tx *Tx) error {
		zones, err := zoneCodes(tx)
		if err != nil {
			return err
		}
		items, err := catalog.Load(data, zones)
		if err != nil {
			var ps catalog.Problems
			if errors.As(err, &ps) {
				return problemsError(ps)
			}
			return err
		}
		res.Items = len(items)
		for _, it := range items {
			created, err := publishNew(tx, it, "import")
			if err != nil {
				return err
			}
			if created {
				res.Created++
			}
		}
		return tx.Audit("catalog.import", "catalog", fmt.Sprintf("%d items, %d new", res.Items, res.Created))
	})
	return res, wrap("import catalogue", err)
}

// publishNew stores it as a new version that is published at once,
// superseding the previous one. It reports whether the item was new.
func publishNew(tx *Tx, it catalog.Item, reason string) (bool, error) {
	created, err := ensureItem(tx, it)
	if err != nil {
		return false, err
	}
	n, err := nextVersion(tx, it.Code)
	if err != nil {
		return false, err
	}
	content, err := json.Marshal(it)
	if err != nil {
		return false, err
	}
	if _, err := tx.Exec(`INSERT INTO guide_versions (item_code, number, state, content, author, reviewer, reason, created_at, effective_date)
		VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?)`, it.Code, n, string(content), tx.Actor.Name, tx.Actor.Name, reason, tx.NowMs(), it.EffectiveDate); err != nil {
		return false, err
	}
	return created, publish(tx, it, n, string(content))
}

// ensureItem inserts the item's row when the code is new; a row whose item
// was never published follows its latest draft's name and zone.
func ensureItem(tx *Tx, it catalog.Item) (bool, error) {
	var published int
	err := tx.QueryRow("SELECT published_version FROM catalog_items WHERE code = ?", it.Code).Scan(&published)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err := tx.Exec("INSERT INTO catalog_items (code, zone, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
			it.Code, it.Zone, it.Name, tx.NowMs(), tx.NowMs())
		return true, err
	case err != nil:
		return false, err
	case published == 0:
		_, err := tx.Exec("UPDATE catalog_items SET zone = ?, name = ?, updated_at = ? WHERE code = ?", it.Zone, it.Name, tx.NowMs(), it.Code)
		return false, err
	}
	return false, nil
}

func nextVersion(tx *Tx, code string) (int, error) {
	var n int
	err := tx.QueryRow("SELECT COALESCE(MAX(number), 0) + 1 FROM guide_versions WHERE item_code = ?", code).Scan(&n)
	return n, err
}

// publish makes version n (a draft holding content) the published version
// of it: the previous published version is superseded, the item row takes
// the new content and the search index is rebuilt for the item. The
// reviewer is the transaction's actor.
func publish(tx *Tx, it catalog.Item, n int, content string) error {
	now := tx.NowMs()
	if _, err := tx.Exec("UPDATE guide_versions SET state = 'superseded', superseded_at = ? WHERE item_code = ? AND state = 'published'", now, it.Code); err != nil {
		return err
	}
	if _, err := tx.Exec("UPDATE guide_versions SET state = 'published', reviewer = ?, published_at = ? WHERE item_code = ? AND number = ?",
		tx.Actor.Name, now, it.Code, n); err != nil {
		return err
	}
	text := catalog.SearchText(it)
	if _, err := tx.Exec("UPDATE catalog_items SET zone = ?, name = ?, published_version = ?, content = ?, search_text = ?, updated_at = ? WHERE code = ?",
		it.Zone, it.Name, n, content, text, now, it.Code); err != nil {
		return err
	}
	if err := tx.changedHot(hotItems); err != nil {
		return err
	}
	return reindex(tx, it.Code, text)
}

// reindex replaces an item's entries in the search indexes.
func reindex(tx *Tx, code, text string) error {
	if tx.Dialect() == SQLite {
		if _, err := tx.Exec("DELETE FROM catalog_fts WHERE code = ?", code); err != nil {
			return err
		}
		if _, err := tx.Exec("INSERT INTO catalog_fts (code, body) VALUES (?, ?)", code, text); err != nil {
			return err
		}
	}
	if _, err := tx.Exec("DELETE FROM catalog_bigrams WHERE item_code = ?", code); err != nil {
		return err
	}
	grams := bigrams(text)
	const batch = 400
	for start := 0; start < len(grams); start += batch {
		chunk := grams[start:min(start+batch, len(grams))]
		var q strings.Builder
		q.WriteString("INSERT INTO catalog_bigrams (gram, item_code) VALUES ")
		args := make([]any, 0, 2*len(chunk))
		for i, g := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?)")
			args = append(args, g, code)
		}
		if _, err := tx.Exec(q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// bigrams returns the distinct two-character substrings of the lines of
// text, leaving out those with a space (query terms never hold one).
func bigrams(text string) []string {
	seen := map[string]bool{}
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		prev := -1
		for i, r := range line {
			if prev >= 0 {
				g := line[prev : i+utf8.RuneLen(r)]
				if !strings.Contains(g, " ") && !seen[g] {
					seen[g] = true
					out = append(out, g)
				}
			}
			prev = i
		}
	}
	return out
}

// ExportCatalog writes the published catalogue in the catalogue file format
// (catalog.Marshal), so that importing the export changes no content.
func (db *DB) ExportCatalog(ctx context.Context) ([]byte, error) {
	items, err := db.ListPublishedItems(ctx, "")
	if err != nil {
		return nil, err
	}
	return catalog.Marshal(items)
}

// SaveDraft stores it as a new draft version of its item, written by the
// context's actor for the given reason. The item is validated field by
// field (CatalogError) and the reason is required. Drafts are never public:
// a different person publishes them with PublishVersion.
func (db *DB) SaveDraft(ctx context.Context, it catalog.Item, reason string) (catalog.Version, error) {
	var v catalog.Version
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return v, apperr.InvalidField("reason", "catalog.reason_required")
	case utf8.RuneCountInString(reason) > MaxReasonLen:
		return v, apperr.InvalidField("reason", "err.too_long", "reason", MaxReasonLen)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		zones, err := zoneCodes(tx)
		if err != nil {
			return err
		}
		if ps := catalog.Validate([]catalog.Item{it}, zones); len(ps) > 0 {
			return problemsError(ps)
		}
		if _, err := ensureItem(tx, it); err != nil {
			return err
		}
		n, err := nextVersion(tx, it.Code)
		if err != nil {
			return err
		}
		content, err := json.Marshal(it)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO guide_versions (item_code, number, state, content, author, reason, created_at, effective_date)
			VALUES (?, ?, 'draft', ?, ?, ?, ?, ?)`, it.Code, n, string(content), tx.Actor.Name, reason, tx.NowMs(), it.EffectiveDate); err != nil {
			return err
		}
		v = catalog.Version{ItemCode: it.Code, Number: n, State: catalog.Draft, Author: tx.Actor.Name, Reason: reason, CreatedAt: tx.Now}
		return tx.Audit("guide.draft", "item:"+it.Code, fmt.Sprintf("v%d: %s", n, reason))
	})
	return v, wrap("save guide draft", err)
}

// PublishVersion publishes draft version n of an item, superseding the
// version in force. The publisher (the context's actor, who must hold
// hall_manager or admin: the web layer checks roles) must not be the
// draft's author, and the draft must be newer than the published version.
// The content is validated again against the current zones.
func (db *DB) PublishVersion(ctx context.Context, code string, n int) (catalog.Version, error) {
	var v catalog.Version
	err := db.Write(ctx, func(tx *Tx) error {
		g, err := guideVersion(tx, code, n)
		if err != nil {
			return err
		}
		if g.Version.State != catalog.Draft {
			return apperr.New(apperr.Conflict, "catalog.not_draft", n, string(g.Version.State))
		}
		if g.Version.Author == tx.Actor.Name {
			return errOwnDraft
		}
		if g.Version.Returned() {
			return apperr.New(apperr.Conflict, "catalog.returned_draft", n)
		}
		var published int
		if err := tx.QueryRow("SELECT published_version FROM catalog_items WHERE code = ?", code).Scan(&published); err != nil {
			return notFound(err, "item")
		}
		if n < published {
			return apperr.New(apperr.Conflict, "catalog.stale_draft", n, published)
		}
		zones, err := zoneCodes(tx)
		if err != nil {
			return err
		}
		if ps := catalog.Validate([]catalog.Item{g.Item}, zones); len(ps) > 0 {
			return problemsError(ps)
		}
		content, err := json.Marshal(g.Item)
		if err != nil {
			return err
		}
		if err := publish(tx, g.Item, n, string(content)); err != nil {
			return err
		}
		v = g.Version
		v.State, v.Reviewer = catalog.Published, tx.Actor.Name
		t := tx.Now
		v.PublishedAt = &t
		return tx.Audit("guide.publish", "item:"+code, fmt.Sprintf("v%d (was v%d)", n, published))
	})
	if err == errOwnDraft {
		// The refused attempt changed nothing, but it is evidence.
		_ = db.AuditDenied(ctx, "guide.publish", "item:"+code, fmt.Sprintf("v%d: own draft", n))
	}
	return v, wrap("publish guide version", err)
}

var errOwnDraft = apperr.New(apperr.Forbidden, "catalog.own_draft")

// MaxCommentLen is the longest review comment, in characters.
const MaxCommentLen = 1000

// ReturnVersion sends draft version n of an item back to its author with
// the reviewer's comment instead of publishing it (退回修改). The reviewer
// (the context's actor; the web layer checks the role) must not be the
// author, the comment is required, and the draft must not be returned
// already. The draft stays in the history with the comment; the author
// answers with a new draft.
func (db *DB) ReturnVersion(ctx context.Context, code string, n int, comment string) (catalog.Version, error) {
	var v catalog.Version
	comment = strings.TrimSpace(comment)
	switch {
	case comment == "":
		return v, apperr.InvalidField("comment", "catalog.comment_required")
	case utf8.RuneCountInString(comment) > MaxCommentLen:
		return v, apperr.InvalidField("comment", "err.too_long", "comment", MaxCommentLen)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		g, err := guideVersion(tx, code, n)
		if err != nil {
			return err
		}
		switch {
		case g.Version.State != catalog.Draft:
			return apperr.New(apperr.Conflict, "catalog.not_draft_return", n, string(g.Version.State))
		case g.Version.Returned():
			return apperr.New(apperr.Conflict, "catalog.returned_draft", n)
		case g.Version.Author == tx.Actor.Name:
			return apperr.New(apperr.Forbidden, "catalog.own_draft_return")
		}
		if _, err := tx.Exec("UPDATE guide_versions SET returned_by = ?, returned_at = ?, return_comment = ? WHERE item_code = ? AND number = ?",
			tx.Actor.Name, tx.NowMs(), comment, code, n); err != nil {
			return err
		}
		v = g.Version
		t := tx.Now
		v.ReturnedBy, v.ReturnedAt, v.ReturnComment = tx.Actor.Name, &t, comment
		return tx.Audit("guide.return", "item:"+code, fmt.Sprintf("v%d: %s", n, comment))
	})
	return v, err
}

const versionColumns = "item_code, number, state, author, reviewer, reason, created_at, published_at, returned_by, returned_at, return_comment"

func scanVersion(row interface{ Scan(...any) error }, extra ...any) (catalog.Version, error) {
	var v catalog.Version
	var created, published, returned int64
	var state string
	dest := append([]any{&v.ItemCode, &v.Number, &state, &v.Author, &v.Reviewer, &v.Reason, &created, &published, &v.ReturnedBy, &returned, &v.ReturnComment}, extra...)
	if err := row.Scan(dest...); err != nil {
		return v, err
	}
	v.State = catalog.VersionState(state)
	v.CreatedAt = time.UnixMilli(created).UTC()
	if published > 0 {
		t := time.UnixMilli(published).UTC()
		v.PublishedAt = &t
	}
	if returned > 0 {
		t := time.UnixMilli(returned).UTC()
		v.ReturnedAt = &t
	}
	return v, nil
}

func guideVersion(tx *Tx, code string, n int) (catalog.Guide, error) {
	var g catalog.Guide
	var content string
	v, err := scanVersion(tx.QueryRow("SELECT "+versionColumns+", content FROM guide_versions WHERE item_code = ? AND number = ?", code, n), &content)
	if err != nil {
		return g, notFound(err, "guide_version")
	}
	g.Version = v
	return g, json.Unmarshal([]byte(content), &g.Item)
}

// GuideVersions lists an item's versions, newest first (staff only: it
// includes drafts).
func (db *DB) GuideVersions(ctx context.Context, code string) ([]catalog.Version, error) {
	var out []catalog.Version
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT "+versionColumns+" FROM guide_versions WHERE item_code = ? ORDER BY number DESC", code)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanVersion(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return apperr.NotFoundOf("item")
		}
		return nil
	})
	return out, err
}

// GuideVersion returns version n of an item's guide, in any state (staff
// only).
func (db *DB) GuideVersion(ctx context.Context, code string, n int) (catalog.Guide, error) {
	var g catalog.Guide
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		g, err = guideVersion(tx, code, n)
		return err
	})
	return g, err
}

// PublishedGuide returns the published version of an item's guide with its
// version metadata; not found for unknown and never-published items.
func (db *DB) PublishedGuide(ctx context.Context, code string) (catalog.Guide, error) {
	var g catalog.Guide
	err := db.Read(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow("SELECT published_version FROM catalog_items WHERE code = ? AND published_version > 0", code).Scan(&n); err != nil {
			return notFound(err, "item")
		}
		var err error
		g, err = guideVersion(tx, code, n)
		return err
	})
	return g, err
}

// VersionDiff compares two versions of an item field by field
// (catalog.Diff from version a to version b).
func (db *DB) VersionDiff(ctx context.Context, code string, a, b int) ([]catalog.Change, error) {
	var changes []catalog.Change
	err := db.Read(ctx, func(tx *Tx) error {
		ga, err := guideVersion(tx, code, a)
		if err != nil {
			return err
		}
		gb, err := guideVersion(tx, code, b)
		if err != nil {
			return err
		}
		changes = catalog.Diff(ga.Item, gb.Item)
		return nil
	})
	return changes, err
}

// ItemStatus is an item's row for the editors' list: its name and zone,
// the published version and the newest version of any state.
type ItemStatus struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Zone      string `json:"zone"`
	Published int    `json:"published_version"`
	Latest    int    `json:"latest_version"`
	// Drafts counts the drafts newer than the published version.
	Drafts int `json:"drafts"`
}

// ListItemStatus returns every item of the catalogue, published or not,
// ordered by code (staff only).
func (db *DB) ListItemStatus(ctx context.Context) ([]ItemStatus, error) {
	var out []ItemStatus
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`SELECT i.code, i.name, i.zone, i.published_version,
			(SELECT COALESCE(MAX(number), 0) FROM guide_versions v WHERE v.item_code = i.code),
			(SELECT COUNT(*) FROM guide_versions v WHERE v.item_code = i.code AND v.state = 'draft' AND v.number > i.published_version)
			FROM catalog_items i ORDER BY i.code`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s ItemStatus
			if err := rows.Scan(&s.Code, &s.Name, &s.Zone, &s.Published, &s.Latest, &s.Drafts); err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

// SearchHit is one search result.
type SearchHit struct {
	Item    catalog.Item
	Version int
	Score   int
}

// DefaultSearchLimit is the number of hits SearchItems returns when asked
// for none in particular.
const DefaultSearchLimit = 50

// SearchItems searches the published items, of one zone when zone is set,
// by substring in Chinese or English, pinyin initials or item code, and
// returns the best hits first (catalog.Rank; ties by code). The query's
// longest term picks the indexed prefilter: three or more characters use
// the trigram index (SQLite FTS5, PostgreSQL pg_trgm), two characters the
// bigram table and one character a scan; Rank then checks every term, so
// both engines return the same hits.
func (db *DB) SearchItems(ctx context.Context, q, zone string, limit int) ([]SearchHit, error) {
	q = catalog.NormalizeQuery(q)
	if q == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	if utf8.RuneCountInString(q) > 100 {
		return nil, apperr.InvalidField("q", "err.too_long", "q", 100)
	}
	term := ""
	for t := range strings.SplitSeq(q, " ") {
		if utf8.RuneCountInString(t) > utf8.RuneCountInString(term) {
			term = t
		}
	}
	var query string
	var args []any
	const cols = "SELECT i.code, i.published_version, i.content FROM "
	switch n := utf8.RuneCountInString(term); {
	case n >= 3 && db.Dialect == SQLite:
		query = cols + "catalog_fts f JOIN catalog_items i ON i.code = f.code WHERE catalog_fts MATCH ?"
		args = append(args, `body : "`+strings.ReplaceAll(term, `"`, `""`)+`"`)
	case n >= 3:
		query = cols + `catalog_items i WHERE i.search_text LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscaper.Replace(term)+"%")
	case n == 2:
		query = cols + "catalog_bigrams b JOIN catalog_items i ON i.code = b.item_code WHERE b.gram = ?"
		args = append(args, term)
	case db.Dialect == SQLite:
		query = cols + "catalog_items i WHERE instr(i.search_text, ?) > 0"
		args = append(args, term)
	default:
		query = cols + "catalog_items i WHERE strpos(i.search_text, ?) > 0"
		args = append(args, term)
	}
	query += " AND i.published_version > 0"
	if zone != "" {
		query += " AND i.zone = ?"
		args = append(args, zone)
	}
	var hits []SearchHit
	cache := db.itemCache()
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h SearchHit
			var code string
			var content sql.RawBytes
			if err := rows.Scan(&code, &h.Version, &content); err != nil {
				return err
			}
			it, err := cache.item(code, h.Version, content)
			if err != nil {
				return err
			}
			h.Item = it
			if s, ok := catalog.Rank(h.Item, q); ok {
				h.Score = s
				hits = append(hits, h)
			}
		}
		return rows.Err()
	})
	slices.SortFunc(hits, func(a, b SearchHit) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return strings.Compare(a.Item.Code, b.Item.Code)
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, err
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// itemCache holds decoded published items by code and version number for
// ranking search candidates without decoding their JSON every time. A
// version's content never changes once written, so entries never go stale
// on either engine, whichever instance published them.
type itemCache struct {
	mu    sync.RWMutex
	items map[string]cachedItem
}

type cachedItem struct {
	version int
	item    catalog.Item
}

var itemCaches sync.Map // *DB → *itemCache

func (db *DB) itemCache() *itemCache {
	if c, ok := itemCaches.Load(db); ok {
		return c.(*itemCache)
	}
	c, _ := itemCaches.LoadOrStore(db, &itemCache{items: map[string]cachedItem{}})
	return c.(*itemCache)
}

// item returns the decoded content of a version, decoding it only when the
// cache holds another version or none.
func (c *itemCache) item(code string, version int, content []byte) (catalog.Item, error) {
	c.mu.RLock()
	e, ok := c.items[code]
	c.mu.RUnlock()
	if ok && e.version == version {
		return e.item, nil
	}
	var it catalog.Item
	if err := json.Unmarshal(content, &it); err != nil {
		return it, err
	}
	c.mu.Lock()
	c.items[code] = cachedItem{version, it}
	c.mu.Unlock()
	return it, nil
}
