package webadapt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// Reports serves the store's reports to the HTTP API.
type Reports struct {
	Store *store.Store
	// Thresholds are each queue's KPI thresholds, for the interval report.
	Thresholds map[string]store.QueueThresholds
}

func (r Reports) Interval(ctx context.Context, q web.ReportQuery) (web.Table, error) {
	iv, err := store.ParseInterval(q.Interval)
	if err != nil {
		return web.Table{}, err
	}
	rows, err := r.Store.IntervalReport(ctx, store.IntervalParams{
		From: q.From, To: q.To, Location: q.Location, Interval: iv, Thresholds: r.Thresholds,
	})
	return table(rows), recordsUnavailable(err)
}

// recordsUnavailable tells the HTTP side that a read failed because the
// database cannot be reached (503, try later) rather than because the
// query was wrong (400).
func recordsUnavailable(err error) error {
	if errors.Is(err, store.ErrDatabaseUnavailable) {
		return fmt.Errorf("%w: the records cannot be read now; try again later: %v", web.ErrUnavailable, err)
	}
	return err
}

func (r Reports) Agents(ctx context.Context, q web.ReportQuery) (web.Table, error) {
	rows, err := r.Store.AgentReport(ctx, store.AgentParams{From: q.From, To: q.To})
	return table(rows), recordsUnavailable(err)
}

func (r Reports) RepeatCallers(ctx context.Context, q web.ReportQuery) (web.Table, error) {
	rep, err := r.Store.RepeatCallers(ctx, store.RepeatParams{Month: q.From, Location: q.Location})
	return web.Table{JSON: rep, CSV: func(w io.Writer) error { return store.WriteCSV(w, rep.Callers) }}, recordsUnavailable(err)
}

func table[T any](rows []T) web.Table {
	if rows == nil {
		rows = []T{}
	}
	return web.Table{JSON: rows, CSV: func(w io.Writer) error { return store.WriteCSV(w, rows) }}
}

// Audit keeps the HTTP audit trail in the record store, through its
// writer queue and spool: an outage delays entries, never loses them.
type Audit struct{ Store *store.Store }

func (l Audit) Record(e web.AuditEntry) {
	detail := ""
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err == nil {
			detail = string(b)
		}
	}
	l.Store.Audit(store.AuditEntry{
		At: e.At, Actor: e.Actor, Role: string(e.Role), Agent: e.Agent, Action: e.Action,
		Target: e.Target, Detail: detail, Source: e.Source, Result: e.Result,
	})
}

func (l Audit) Read(ctx context.Context, q web.AuditQuery) (any, error) {
	entries, err := l.Store.AuditLog(ctx, store.AuditFilter{
		From: q.From, To: q.To, Actor: q.Actor, Action: q.Action, Limit: q.Limit,
	})
	if err != nil {
		return nil, recordsUnavailable(err)
	}
	type entry struct {
		store.AuditEntry
		Detail json.RawMessage `json:"detail,omitempty"`
	}
	out := make([]entry, len(entries))
	for i, e := range entries {
		out[i] = entry{AuditEntry: e}
		if e.Detail != "" && e.Detail != "{}" && json.Valid([]byte(e.Detail)) {
			out[i].Detail = json.RawMessage(e.Detail)
		}
	}
	return out, nil
}

// TrustedProxies are api.trusted_proxies, whose forwarded-for headers the
// audit trail believes.
func TrustedProxies(cfg *config.Config) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range cfg.API.TrustedProxies {
		if prefix, err := config.ParsePrefix(p); err == nil { // validated at load
			out = append(out, prefix)
		}
	}
	return out
}
