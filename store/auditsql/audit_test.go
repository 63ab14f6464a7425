package auditsql_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/store/auditsql"
	"github.com/hotline-oss/hotline/store/internal/storetest"
	"github.com/hotline-oss/hotline/store/sqldb"
)

func auditEntries(t *testing.T, s *store.Store, f auditsql.AuditFilter) []auditsql.AuditEntry {
	t.Helper()
	out, err := s.AuditLog(context.Background(), f)
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	return out
}

func auditActions(es []auditsql.AuditEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Actor+" "+e.Target)
	}
	return out
}

func TestAuditWriteReadFilter(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, env *storetest.Env) {
		s := env.Open(t)
		t0 := env.Clock.Now()
		pause := "POST /api/v1/agents/{id}/{action}"
		s.Audit(auditsql.AuditEntry{At: t0, Actor: "supervisor", Role: "supervisor", Action: pause,
			Target: "/api/v1/agents/1001/pause", Detail: `{"reason":"lunch"}`, Source: "192.0.2.7", Result: "200"})
		s.Audit(auditsql.AuditEntry{At: t0.Add(time.Minute), Actor: "anonymous", Action: pause,
			Target: "/api/v1/agents/1002/logout", Source: "192.0.2.8", Result: "401"})
		s.Audit(auditsql.AuditEntry{At: t0.Add(2 * time.Minute), Actor: "admin", Role: "admin",
			Action: "POST /api/v1/reload", Target: "/api/v1/reload", Result: "200"})
		env.Clock.Advance(3 * time.Minute)
		s.Audit(auditsql.AuditEntry{Actor: "sup_100%", Action: "sip barge", Target: "call-1", Result: "ok"}) // clock time
		storetest.Flush(t, s)

		all := auditEntries(t, s, auditsql.AuditFilter{})
		if len(all) != 4 {
			t.Fatalf("entries: %+v", all)
		}
		// Newest first; the entry without a time took the store clock.
		if all[0].Actor != "sup_100%" || !all[0].At.Equal(t0.Add(3*time.Minute)) {
			t.Fatalf("clock-stamped entry: %+v", all[0])
		}
		if got := auditActions(all[1:]); strings.Join(got, ",") !=
			"admin /api/v1/reload,anonymous /api/v1/agents/1002/logout,supervisor /api/v1/agents/1001/pause" {
			t.Fatalf("order: %v", got)
		}
		first := all[3]
		if !first.At.Equal(t0) || first.Role != "supervisor" || first.Detail != `{"reason":"lunch"}` ||
			first.Source != "192.0.2.7" || first.Result != "200" || first.ID == "" {
			t.Fatalf("entry read back: %+v", first)
		}
		if got := auditEntries(t, s, auditsql.AuditFilter{Actor: "anonymous"}); len(got) != 1 || got[0].Result != "401" {
			t.Fatalf("actor filter: %+v", got)
		}
		if got := auditEntries(t, s, auditsql.AuditFilter{Action: "pause"}); len(got) != 1 || got[0].Actor != "supervisor" {
			t.Fatalf("action filter on the target: %+v", got)
		}
		if got := auditEntries(t, s, auditsql.AuditFilter{Action: "{action}"}); len(got) != 2 {
			t.Fatalf("action filter on the pattern: %+v", got)
		}
		if got := auditEntries(t, s, auditsql.AuditFilter{Action: "_100%"}); len(got) != 0 {
			t.Fatalf("LIKE wildcards must match literally: %+v", got)
		}
		if got := auditEntries(t, s, auditsql.AuditFilter{From: t0.Add(30 * time.Second), To: t0.Add(90 * time.Second)}); len(got) != 1 || got[0].Actor != "anonymous" {
			t.Fatalf("time filter: %+v", got)
		}
		if got := auditEntries(t, s, auditsql.AuditFilter{Limit: 2}); len(got) != 2 {
			t.Fatalf("limit: %+v", got)
		}
		for _, bad := range []auditsql.AuditFilter{{Limit: -1}, {Limit: auditsql.MaxAuditLimit + 1}, {From: t0, To: t0}} {
			if _, err := s.AuditLog(context.Background(), bad); !errors.Is(err, auditsql.ErrBadAuditFilter) {
				t.Fatalf("filter %+v: %v", bad, err)
			}
		}
	})
}

func TestAuditBoundsValues(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, env *storetest.Env) {
		s := env.Open(t)
		s.Audit(auditsql.AuditEntry{Actor: strings.Repeat("a", 500), Action: "x", Detail: `{"reason":"` + strings.Repeat("r", 5000) + `"}`,
			Source: strings.Repeat("1", 200), Result: "200"})
		storetest.Flush(t, s)
		got := auditEntries(t, s, auditsql.AuditFilter{})
		if len(got) != 1 || len(got[0].Actor) != sqldb.MaxNameLen || got[0].Detail != `{"truncated":true}` || len(got[0].Source) != auditsql.MaxSourceLen {
			t.Fatalf("bounded entry: %+v", got)
		}
	})
}
