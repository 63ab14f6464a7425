package webadapt

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// Reports and the audit log read the database at request time. When it
// cannot be reached the API must say "try again later" (503), not blame the
// query (400): a supervisor would otherwise fiddle with the dates.
func TestReadsWithoutTheDatabaseAreUnavailable(t *testing.T) {
	// Nobody listens there: the store opens degraded.
	st, err := store.Open(context.Background(), store.Config{
		DSN: "root@tcp(" + unusedAddr(t) + ")/hotline", DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close(context.Background()) }()
	reports, audit := Reports{Store: st}, Audit{Store: st}
	ctx := context.Background()
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	q := web.ReportQuery{From: day, To: day.AddDate(0, 0, 1), Interval: "day", Location: time.UTC}
	_, intervalErr := reports.Interval(ctx, q)
	_, agentsErr := reports.Agents(ctx, q)
	_, repeatErr := reports.RepeatCallers(ctx, q)
	_, auditErr := audit.Read(ctx, web.AuditQuery{From: day, To: day.AddDate(0, 0, 1)})
	for name, err := range map[string]error{"interval": intervalErr, "agents": agentsErr,
		"repeat callers": repeatErr, "audit": auditErr} {
		if !errors.Is(err, web.ErrUnavailable) {
			t.Errorf("%s report without the database: %v, want web.ErrUnavailable (503)", name, err)
		}
	}
	// A query the records refuse stays the caller's mistake.
	bad := q
	bad.Interval = "fortnight"
	if _, err := reports.Interval(ctx, bad); err == nil || errors.Is(err, web.ErrUnavailable) {
		t.Errorf("unknown interval: %v, want a plain (400) error", err)
	}
}

// unusedAddr is a loopback address nobody listens on.
func unusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
