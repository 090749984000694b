package catalog

import "time"

// VersionState is the life-cycle state of a guide version. Guides are
// written by the standardisation office under "write what we do, do what we
// write": a draft is reviewed, then published, and a newer publication
// supersedes it.
type VersionState string

// The version states.
const (
	// Draft versions are being written or reviewed; citizens never see them.
	Draft VersionState = "draft"
	// Published is the one version of an item in force.
	Published VersionState = "published"
	// Superseded versions were published and replaced by a newer one; they
	// are kept for the record.
	Superseded VersionState = "superseded"
)

var stateLabels = map[VersionState]label{
	Draft:      {"草稿", "draft"},
	Published:  {"已发布", "published"},
	Superseded: {"已被取代", "superseded"},
}

// Valid reports whether s is a known state.
func (s VersionState) Valid() bool { _, ok := stateLabels[s]; return ok }

// Zh returns the Chinese label, or the code itself when unknown.
func (s VersionState) Zh() string { return labelOf(stateLabels, s).zh }

// En returns the English label, or the code itself when unknown.
func (s VersionState) En() string { return labelOf(stateLabels, s).en }

// CanTransition reports whether a version may move from one state to
// another: draft → published, published → superseded. Nothing else; a
// published version is never edited, a new draft is written instead.
func CanTransition(from, to VersionState) bool {
	return (from == Draft && to == Published) || (from == Published && to == Superseded)
}

// Version is the metadata of one version of an item's guide. The store keeps
// the versions; this package only defines them.
type Version struct {
	// ItemCode is the code of the item the version belongs to.
	ItemCode string `json:"item_code"`
	// Number counts the item's versions from 1.
	Number int `json:"number"`
	// State is draft, published or superseded.
	State VersionState `json:"state"`
	// Author is who wrote the version (a staff account name).
	Author string `json:"author"`
	// Reviewer is who reviewed and approved it; empty while a draft.
	Reviewer string `json:"reviewer"`
	// Reason says why the guide changed (修订原因).
	Reason string `json:"reason"`
	// CreatedAt is when the version was created.
	CreatedAt time.Time `json:"created_at"`
	// PublishedAt is when the version was published; nil while a draft.
	PublishedAt *time.Time `json:"published_at"`
	// ReturnedBy is the reviewer who sent the draft back to its author
	// instead of publishing it; empty unless returned. A returned draft is
	// never published: its author saves a corrected draft (a new version).
	ReturnedBy string `json:"returned_by,omitempty"`
	// ReturnedAt is when the draft was returned; nil unless returned.
	ReturnedAt *time.Time `json:"returned_at,omitempty"`
	// ReturnComment is the reviewer's comment to the author.
	ReturnComment string `json:"return_comment,omitempty"`
}

// Returned reports whether the version is a draft sent back by a reviewer.
func (v Version) Returned() bool { return v.ReturnedAt != nil }

// Guide is one version of an item's guide: its metadata and content.
type Guide struct {
	// Version is the version metadata.
	Version Version `json:"version"`
	// Item is the guide content of that version.
	Item Item `json:"item"`
}
