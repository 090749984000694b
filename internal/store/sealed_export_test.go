package store

// SealedColumns returns the list that key usage and re-sealing walk
// (sealed_pii.go): table → sealed columns.
func SealedColumns() map[string][]string {
	out := map[string][]string{}
	for _, t := range sealedColumns {
		out[t.table] = append(out[t.table], t.cols...)
	}
	return out
}
