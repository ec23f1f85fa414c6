package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))

	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if pct, limit := tuneGC(getenv); pct != serverGCPercent || limit != serverMemoryLimit {
		t.Errorf("silent environment: GOGC %d, limit %d; want %d, %d", pct, limit, serverGCPercent, serverMemoryLimit)
	}

	// The runtime read GOGC and GOMEMLIMIT at start; tuneGC must leave
	// whatever they set alone.
	debug.SetGCPercent(50)
	debug.SetMemoryLimit(1 << 30)
	env["GOGC"], env["GOMEMLIMIT"] = "50", "1GiB"
	if pct, limit := tuneGC(getenv); pct != 50 || limit != 1<<30 {
		t.Errorf("GOGC=50 GOMEMLIMIT=1GiB: got %d, %d", pct, limit)
	}
}
