package siplog

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	sipmsg "github.com/emiago/sipgo/sip"
)

// sipgo keeps one process-wide default logger that its connection
// goroutines read at any time, also after an endpoint has closed (a TLS or
// TCP reader finishing late). Setting it anew for every endpoint races with
// those readers, so it is set once, to a logger that forwards to whatever
// endpoint started last.
var (
	sipgoDefaultOnce sync.Once
	sipgoDefault     atomic.Pointer[slog.Logger]
)

// SetSipgoDefault makes l the logger sipgo's own goroutines write to.
func SetSipgoDefault(l *slog.Logger) {
	sipgoDefault.Store(l)
	sipgoDefaultOnce.Do(func() { sipmsg.SetDefaultLogger(slog.New(forwardHandler{})) })
}

// forwardHandler sends records to the current sipgoDefault logger.
type forwardHandler struct {
	attrs []slog.Attr
	group string
}

func (f forwardHandler) target() slog.Handler {
	h := sipgoDefault.Load().Handler()
	if f.group != "" {
		h = h.WithGroup(f.group)
	}
	if len(f.attrs) > 0 {
		h = h.WithAttrs(f.attrs)
	}
	return h
}

func (f forwardHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return f.target().Enabled(ctx, l)
}

func (f forwardHandler) Handle(ctx context.Context, r slog.Record) error {
	return f.target().Handle(ctx, r)
}

func (f forwardHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return forwardHandler{attrs: append(append([]slog.Attr(nil), f.attrs...), attrs...), group: f.group}
}

func (f forwardHandler) WithGroup(name string) slog.Handler {
	if f.group != "" {
		name = f.group + "." + name
	}
	return forwardHandler{attrs: f.attrs, group: name}
}
