package main

import (
	"io"

	"mingbai/internal/sim"
)

func runSim(args []string, stdout, stderr io.Writer) int { return sim.Main(args, stdout, stderr) }

func runStaffing(args []string, stdout, stderr io.Writer) int {
	return sim.AdvisorMain(args, stdout, stderr)
}
