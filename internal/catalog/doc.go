// Package catalog holds the hall's service items and the content of their
// guides (办事指南, the "明白纸" clarity sheets): the Go model, validation, the
// catalogue file format, field-by-field diffs between guide versions and pure
// search helpers.
//
// The package is pure: it does no I/O beyond reading its embedded demo
// catalogue, and imports neither net/http nor database/sql. Storage of guide
// versions lives in the store package; this package only defines the Version
// metadata type.
//
// # File format
//
// A catalogue file is JSON:
//
//	{"format": "mingbai-catalog/1", "items": [ {...}, ... ]}
//
// ParseFile reads it strictly (unknown fields, duplicate keys and wrongly typed
// values are problems), Validate checks the content, Load does both and
// Marshal writes the canonical form (two-space indent, items sorted by code,
// every field present, empty lists as []), so that a canonical file survives
// ParseFile followed by Marshal byte for byte.
//
// # Time limits
//
// Each limit carries its unit: working days (工作日) or calendar days (自然日).
// A pledged limit (承诺时限) must never end later than the statutory limit
// (法定时限); see WithinStatutory for the rule used when the units differ.
//
// # Demo data
//
// DemoJSON is the demo hall's 66-item catalogue for a district HR and
// social-security bureau. Its telephone numbers in the 0531-8721xxxx range are
// fictitious; 12333 and 12345 are the real national and municipal hotlines.
package catalog
