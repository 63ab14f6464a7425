package workordersql_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/store/internal/storetest"
	"github.com/hotline-oss/hotline/store/workordersql"
)

func TestWorkOrderNumbersPerDay(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, env *storetest.Env) {
		s := env.Open(t)
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
				n, err := s.SaveWorkOrder(ctx, workordersql.WorkOrder{Account: "1234567890", Created: day1}, loc)
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
		n, err := s.SaveWorkOrder(ctx, workordersql.WorkOrder{Created: day1.Add(14 * time.Hour)}, loc)
		if err != nil || n != "F20261124-0001" {
			t.Errorf("next day: %s %v", n, err)
		}
		n, err = s.SaveWorkOrder(ctx, workordersql.WorkOrder{Number: "CRM-77", Recording: "r.wav", Created: day1}, loc)
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
