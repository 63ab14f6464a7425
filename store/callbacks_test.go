package store

import (
	"context"
	"testing"
	"time"
)

func TestCalledSince(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		ctx := context.Background()
		june := time.Date(2026, 6, 1, 0, 0, 0, 0, cst)
		queuedCall{id: "c1", caller: "13900000002", queue: "general", agent: "1001",
			queued: june.AddDate(0, 0, 2), wait: 5, talk: 30}.script().feed(s.Recorder())
		flush(t, s)
		cases := []struct {
			number string
			since  time.Time
			want   bool
		}{
			{"13900000002", june, true},
			{"13900000002", june.AddDate(0, 0, 3), false}, // called before the window
			{"13912345678", june, false},
			{"", june, false},
		}
		for _, c := range cases {
			got, err := s.CalledSince(ctx, c.number, c.since)
			if err != nil || got != c.want {
				t.Errorf("CalledSince(%q, %s) = %v, %v; want %v", c.number, c.since.Format(time.DateOnly), got, err, c.want)
			}
		}
	})
}
