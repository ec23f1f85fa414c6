package main

import (
	"strings"
	"testing"
	"time"
)

// INFO lines arrive within flushEvery, WARN lines at once, and Close
// writes out the rest.
func TestLogWriterGathersLines(t *testing.T) {
	out := &syncBuffer{}
	lw := newLogWriter(out)
	log := newLogger("json", lw)
	log.Info("first request")
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(out.String(), "first request"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("an INFO line was not written within 5s")
		}
	}
	log.With("k", "v").Warn("careful")
	if !strings.Contains(out.String(), "careful") {
		t.Fatal("a WARN record waited for the periodic flush")
	}
	log.Info("last request")
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "last request") {
		t.Fatalf("Close left a line unwritten:\n%s", out.String())
	}
}
