package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestNoticesLifecycle(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
		n, err := s.CreateNotice(ctx, Notice{
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
		if err := s.DeleteNotice(ctx, n.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
		if _, err := s.CreateNotice(ctx, Notice{Areas: []string{"a,b"}, Starts: now}); !errors.Is(err, ErrBadNotice) {
			t.Errorf("comma in area: %v", err)
		}
		if _, err := s.CreateNotice(ctx, Notice{Starts: now}); !errors.Is(err, ErrBadNotice) {
			t.Errorf("no areas: %v", err)
		}
	})
}

func TestWorkOrderNumbersPerDay(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		ctx := context.Background()
		loc := time.FixedZone("CST", 8*3600)
		day1 := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		seen := map[string]bool{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.SaveWorkOrder(ctx, WorkOrder{Account: "1234567890", Created: day1}, loc)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[n] = true
				mu.Unlock()
			}()
		}
		wg.Wait()
		for _, want := range []string{"F20261123-0001", "F20261123-0002", "F20261123-0003", "F20261123-0004"} {
			if !seen[want] {
				t.Errorf("missing %s in %v", want, seen)
			}
		}
		// 17:00 UTC is already the next day in UTC+8: a new sequence.
		n, err := s.SaveWorkOrder(ctx, WorkOrder{Created: day1.Add(14 * time.Hour)}, loc)
		if err != nil || n != "F20261124-0001" {
			t.Errorf("next day: %s %v", n, err)
		}
		n, err = s.SaveWorkOrder(ctx, WorkOrder{Number: "CRM-77", Recording: "r.wav", Created: day1}, loc)
		if err != nil || n != "CRM-77" {
			t.Errorf("external number: %s %v", n, err)
		}
		w, err := s.WorkOrderByRecording(ctx, "r.wav")
		if err != nil || w.Number != "CRM-77" {
			t.Errorf("by recording: %+v %v", w, err)
		}
		list, err := s.WorkOrders(ctx, day1.Add(-time.Hour), day1.Add(24*time.Hour))
		if err != nil || len(list) != 6 {
			t.Errorf("list: %d %v", len(list), err)
		}
	})
}
