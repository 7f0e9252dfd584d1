package jobs

import (
	"testing"
	"time"
)

func TestValidWithin(t *testing.T) {
	if !ValidWithin("7d") || ValidWithin("7") || ValidWithin("0d") || ValidWithin("1d; rm") {
		t.Error("ValidWithin misjudged")
	}
}

// The names kept for the coordinator's callers are the shared package's.
func TestArchiveNamesAreTheSharedOnes(t *testing.T) {
	at := time.Date(2026, 11, 22, 5, 30, 0, 0, time.UTC)
	if got := ArchiveName("etc", at); got != "etc@2026-11-22T05.30.00Z" || ArchivePrefix("etc") != "etc@" {
		t.Errorf("ArchiveName = %q, ArchivePrefix = %q", got, ArchivePrefix("etc"))
	}
}
