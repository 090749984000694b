package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestSoakLoadCommand runs `mingbai soak load` small: it exits 0 and prints
// the per-route latency table (what the soak checks is tested in
// internal/soak).
func TestSoakLoadCommand(t *testing.T) {
	var out, errs bytes.Buffer
	code := runSoakLoad([]string{"--sim", "5m", "--wall", "3s", "--clients", "20", "--windows", "4"}, &out, &errs)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errs.String())
	}
	for _, want := range []string{"| route |", "| issue |", "errors 0", "missed (client × call) 0"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errs.String(), "soak load: OK") {
		t.Fatalf("stderr: %s", errs.String())
	}
}
