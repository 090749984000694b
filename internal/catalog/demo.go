package catalog

import _ "embed"

// DemoJSON is the demo hall's catalogue file: the 66 service items of a
// district HR and social-security bureau across the five standard zones, in
// the canonical catalogue format.
//
//go:embed demo/catalog.json
var DemoJSON []byte

// DemoItems parses DemoJSON and validates it against StandardZones. It
// returns a fresh slice on every call, so callers may modify it.
func DemoItems() ([]Item, error) {
	return Load(DemoJSON, StandardZones)
}
