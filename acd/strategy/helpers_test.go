package strategy

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

// candidates builds strategy candidates in member order.
func candidates(n int) []*Candidate {
	out := make([]*Candidate, n)
	for i := range out {
		out[i] = &Candidate{AgentID: fmt.Sprint(1001 + i), Member: i, IdleSince: epoch}
	}
	return out
}

func pickIDs(s Strategy, skip func(*Candidate) bool) []string {
	var ids []string
	for _, c := range s.Pick(nil, skip) {
		ids = append(ids, c.AgentID)
	}
	return ids
}

func skipIDs(ids ...string) func(*Candidate) bool {
	return func(c *Candidate) bool {
		for _, id := range ids {
			if c.AgentID == id {
				return true
			}
		}
		return false
	}
}
