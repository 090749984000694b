package main

import (
	"io"

	"mingbai/internal/bench"
)

func runBench(args []string, stdout, stderr io.Writer) int { return bench.Main(args, stdout, stderr) }
