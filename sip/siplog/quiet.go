package siplog

import (
	"context"
	"log/slog"
	"strings"

	"github.com/hotline-oss/hotline/media/srtp"
)

// quietHandler logs sipgo's own messages at debug level. sipgo reports
// every unparsable datagram from the network as an error with its full
// content; on a public hotline number that is scanner noise, and at error
// level it would let anyone flood the logs.
type quietHandler struct{ next slog.Handler }

// Quiet is l with sipgo's records lowered to debug and SDES keys
// redacted.
func Quiet(l *slog.Logger) *slog.Logger { return slog.New(quietHandler{l.Handler()}) }

func (q quietHandler) Enabled(ctx context.Context, _ slog.Level) bool {
	return q.next.Enabled(ctx, slog.LevelDebug)
}

func (q quietHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = slog.LevelDebug
	return q.next.Handle(ctx, Redact(r))
}

func (q quietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietHandler{q.next.WithAttrs(attrs)}
}

func (q quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{q.next.WithGroup(name)}
}

// Redact removes SDES keys from a sipgo log record: sipgo logs the
// raw text of messages it cannot parse, and those may carry a=crypto.
func Redact(r slog.Record) slog.Record {
	secret := false
	r.Attrs(func(a slog.Attr) bool {
		secret = a.Value.Kind() == slog.KindString && strings.Contains(a.Value.String(), "inline:")
		return !secret
	})
	if !secret && !strings.Contains(r.Message, "inline:") {
		return r
	}
	out := slog.NewRecord(r.Time, r.Level, string(srtp.RedactSDP([]byte(r.Message))), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a.Value.Kind() == slog.KindString {
			a.Value = slog.StringValue(string(srtp.RedactSDP([]byte(a.Value.String()))))
		}
		out.AddAttrs(a)
		return true
	})
	return out
}
