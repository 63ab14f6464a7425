package sip

import (
	"context"
	"log/slog"
)

// quietHandler logs sipgo's own messages at debug level. sipgo reports
// every unparsable datagram from the network as an error with its full
// content; on a public hotline number that is scanner noise, and at error
// level it would let anyone flood the logs.
type quietHandler struct{ next slog.Handler }

func quiet(l *slog.Logger) *slog.Logger { return slog.New(quietHandler{l.Handler()}) }

func (q quietHandler) Enabled(ctx context.Context, _ slog.Level) bool {
	return q.next.Enabled(ctx, slog.LevelDebug)
}

func (q quietHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = slog.LevelDebug
	return q.next.Handle(ctx, redactRecord(r))
}

func (q quietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietHandler{q.next.WithAttrs(attrs)}
}

func (q quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{q.next.WithGroup(name)}
}
