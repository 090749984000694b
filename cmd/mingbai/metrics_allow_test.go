package main

import (
	"strings"
	"testing"
)

func TestMetricsAllowList(t *testing.T) {
	got, err := metricsAllowList("loopback, 10.1.0.0/16,192.0.2.7")
	if err != nil || strings.Join(got, " ") != "127.0.0.0/8 ::1/128 10.1.0.0/16 192.0.2.7" {
		t.Fatalf("%v %v", got, err)
	}
	if got, err := metricsAllowList("none"); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("none: %v %v", got, err)
	}
	if _, err := metricsAllowList("loopback,intranet"); err == nil || !strings.Contains(err.Error(), "intranet") {
		t.Fatalf("a bad entry: %v", err)
	}
}
