package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxLines is the house limit for a Go file (docs/DEVELOPING.md): past it,
// split the file by verb.
const maxLines = 800

// TestNoGoFileOver800Lines walks the module (generated files and testdata
// aside).
func TestNoGoFileOver800Lines(t *testing.T) {
	files := 0
	err := filepath.WalkDir("../..", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b[:min(len(b), 500)], []byte("Code generated")) {
			return nil
		}
		files++
		if n := bytes.Count(b, []byte("\n")); n > maxLines {
			t.Errorf("%s: %d lines (at most %d: split it by verb)", p, n, maxLines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("only %d Go files found", files)
	}
}
