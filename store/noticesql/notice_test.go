package noticesql_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/store/internal/storetest"
	"github.com/hotline-oss/hotline/store/noticesql"
)

func TestNoticesLifecycle(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, env *storetest.Env) {
		s := env.Open(t)
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
		n, err := s.CreateNotice(ctx, noticesql.Notice{
			Areas: []string{"north", "east"}, Text: "Planned outage", Prompts: map[string]string{"zh": "zh.wav"},
			Starts: now, Ends: now.Add(8 * time.Hour), CreatedBy: "supervisor", Created: now, Updated: now,
		})
		if err != nil || n.ID == 0 {
			t.Fatalf("create: %+v %v", n, err)
		}
		got, err := s.Notice(ctx, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Covers("east") || got.Covers("south") || got.Prompts["zh"] != "zh.wav" || !got.Ends.Equal(n.Ends) {
			t.Errorf("read back %+v", got)
		}
		if !got.ActiveAt(now.Add(time.Hour)) || got.ActiveAt(now.Add(9*time.Hour)) || got.ActiveAt(now.Add(-time.Minute)) {
			t.Errorf("active window wrong: %+v", got)
		}
		got.Expired, got.Updated = true, now.Add(time.Hour)
		if err := s.UpdateNotice(ctx, got); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.Notices(ctx, false); len(list) != 0 {
			t.Errorf("expired notice still listed: %+v", list)
		}
		if list, _ := s.Notices(ctx, true); len(list) != 1 || !list[0].Expired {
			t.Errorf("all notices: %+v", list)
		}
		if err := s.DeleteNotice(ctx, n.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteNotice(ctx, n.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
		if _, err := s.CreateNotice(ctx, noticesql.Notice{Areas: []string{"a,b"}, Starts: now}); !errors.Is(err, noticesql.ErrBadNotice) {
			t.Errorf("comma in area: %v", err)
		}
		if _, err := s.CreateNotice(ctx, noticesql.Notice{Starts: now}); !errors.Is(err, noticesql.ErrBadNotice) {
			t.Errorf("no areas: %v", err)
		}
	})
}
