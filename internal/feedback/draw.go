package feedback

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"mingbai/internal/apperr"
)

// Record is one row of a frozen ledger snapshot: a service (ticket or case)
// that may be called back.
type Record struct {
	// ID is the record's stable identifier in the snapshot, e.g. "T123"
	// for a ticket or the case number; it is what the seed is hashed with.
	ID string `json:"id"`
	// Stratum is the key of the stratum the record belongs to (a zone
	// code, window number, staff number or item code).
	Stratum string `json:"stratum"`
	// Excluded is empty for an eligible record, or why it cannot be drawn:
	// ExcludedRecent (called in the last N days) or ExcludedOptOut.
	Excluded string `json:"excluded,omitempty"`
}

// Exclusion reasons, decided when the snapshot is frozen.
const (
	ExcludedRecent  = "recent"
	ExcludedOptOut  = "opted_out"
	ExcludedNoPhone = "no_phone"
)

// SnapshotHash is the SHA-256 of the snapshot in its canonical form: the
// records sorted by ID, one line each, "id\tstratum\texcluded\n", encoded in
// UTF-8, as lowercase hex. Changing, adding or removing one row changes it.
func SnapshotHash(recs []Record) string {
	sorted := append([]Record(nil), recs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	h := sha256.New()
	for _, r := range sorted {
		fmt.Fprintf(h, "%s\t%s\t%s\n", clean(r.ID), clean(r.Stratum), clean(r.Excluded))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// clean keeps the canonical form unambiguous: tabs and newlines never
// appear inside a field.
func clean(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

// DrawKey is the sort key of a record for a seed: SHA-256 of the UTF-8
// bytes of seed + "|" + id (no spaces, no terminator). Records are drawn in
// ascending order of the 32 key bytes, which is the same as ascending
// lowercase hex; equal keys (never seen in practice) fall back to the id.
func DrawKey(seed, id string) [32]byte {
	return sha256.Sum256([]byte(seed + "|" + id))
}

// Order returns ids in draw order for the seed.
func Order(seed string, ids []string) []string {
	type kv struct {
		id  string
		key [32]byte
	}
	ks := make([]kv, len(ids))
	for i, id := range ids {
		ks[i] = kv{id, DrawKey(seed, id)}
	}
	sort.Slice(ks, func(i, j int) bool {
		if c := bytes.Compare(ks[i].key[:], ks[j].key[:]); c != 0 {
			return c < 0
		}
		return ks[i].id < ks[j].id
	})
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.id
	}
	return out
}

// DrawParams are the parameters fixed with a draw.
type DrawParams struct {
	N          int        `json:"n"`
	Allocation Allocation `json:"allocation"`
	Min        int        `json:"min"`
}

// Stratum is the result of a draw for one stratum.
type Stratum struct {
	Key        string         `json:"key"`
	Population int            `json:"population"` // eligible records N_h
	Excluded   map[string]int `json:"excluded"`   // by reason
	Allocated  int            `json:"allocated"`  // n_h
	// Order lists every eligible record of the stratum in seeded order:
	// the first Allocated are the sample, the rest are replacements in the
	// order they are used.
	Order []string `json:"order"`
}

// Sample returns the drawn ids of the stratum.
func (s Stratum) Sample() []string { return s.Order[:s.Allocated] }

// Draw computes a draw from a frozen snapshot, its seed and parameters. The
// strata come out sorted by key; allocation is over the eligible counts.
func Draw(recs []Record, seed string, p DrawParams) ([]Stratum, error) {
	if strings.TrimSpace(seed) == "" {
		return nil, apperr.InvalidField("seed", "fb.err.seed_required")
	}
	byKey := map[string]*Stratum{}
	var ids = map[string][]string{}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[r.ID] {
			return nil, apperr.New(apperr.Invalid, "fb.err.duplicate_record", r.ID)
		}
		seen[r.ID] = true
		s := byKey[r.Stratum]
		if s == nil {
			s = &Stratum{Key: r.Stratum, Excluded: map[string]int{}}
			byKey[r.Stratum] = s
		}
		if r.Excluded != "" {
			s.Excluded[r.Excluded]++
			continue
		}
		s.Population++
		ids[r.Stratum] = append(ids[r.Stratum], r.ID)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sizes := make([]int, len(keys))
	for i, k := range keys {
		sizes[i] = byKey[k].Population
	}
	alloc, err := Allocate(p.N, sizes, p.Allocation, p.Min)
	if err != nil {
		return nil, err
	}
	out := make([]Stratum, len(keys))
	for i, k := range keys {
		s := byKey[k]
		s.Allocated = alloc[i]
		s.Order = Order(seed, ids[k])
		out[i] = *s
	}
	return out, nil
}

// Verify recomputes a stored draw: the snapshot must hash to the recorded
// hash, and the draw from it must give the recorded sample of each stratum
// in the same order. It returns nil when the stored draw is genuine.
func Verify(recs []Record, hash, seed string, p DrawParams, stored map[string][]string) error {
	if got := SnapshotHash(recs); got != hash {
		return fmt.Errorf("snapshot hash %s does not match the recorded %s", got, hash)
	}
	strata, err := Draw(recs, seed, p)
	if err != nil {
		return fmt.Errorf("recompute: %w", err)
	}
	if len(strata) != len(stored) {
		return fmt.Errorf("the draw has %d strata, the recomputation %d", len(stored), len(strata))
	}
	for _, s := range strata {
		want := s.Sample()
		got, ok := stored[s.Key]
		if !ok {
			return fmt.Errorf("stratum %q missing from the stored draw", s.Key)
		}
		if len(got) != len(want) {
			return fmt.Errorf("stratum %q: stored %d records, recomputed %d", s.Key, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				return fmt.Errorf("stratum %q position %d: stored %s, recomputed %s", s.Key, i+1, got[i], want[i])
			}
		}
	}
	return nil
}
