package store

import (
	"context"
	"testing"
	"time"
)

func auditEntries(t *testing.T, s *Store, f AuditFilter) []AuditEntry {
	t.Helper()
	out, err := s.AuditLog(context.Background(), f)
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	return out
}

func TestAuditSurvivesOutage(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		f := &faultySink{}
		s := env.open(t, withFaults(f))
		f.setFailing(true)
		s.Audit(AuditEntry{Actor: "supervisor", Action: "POST /api/v1/agents/{id}/{action}", Target: "/api/v1/agents/1001/logout", Result: "200"})
		s.Audit(AuditEntry{Actor: "supervisor", Action: "sip listen", Target: "1001", Result: "ok"})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Flush(ctx); err == nil {
			t.Fatal("flush succeeded while the database was down")
		}
		if st := s.Stats(); st.SpoolRecords != 2 {
			t.Fatalf("spooled %d records, want 2", st.SpoolRecords)
		}
		if got := auditEntries(t, s, AuditFilter{}); len(got) != 0 {
			t.Fatalf("entries before recovery: %+v", got)
		}
		f.setFailing(false)
		flush(t, s)
		got := auditEntries(t, s, AuditFilter{})
		if len(got) != 2 || s.Stats().SpoolRecords != 0 {
			t.Fatalf("after recovery: %+v, stats %+v", got, s.Stats())
		}
		// Replaying the same entries again leaves one row each.
		for _, e := range got {
			s.Audit(e)
		}
		flush(t, s)
		if n := count(t, s, "audit_log", ""); n != 2 {
			t.Fatalf("rows after a replay: %d", n)
		}
	})
}
