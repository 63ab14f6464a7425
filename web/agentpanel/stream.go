package agentpanel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/hotline-oss/hotline/web/sse"
)

// panelHeartbeat keeps proxies from closing a quiet stream.
const panelHeartbeat = 15 * time.Second

// stream pushes the agent's view as a "view" event whenever it changes.
// It looks at the view every poll interval rather than following the
// event bus: a view has several sources (ACD state, call details, wrap-up
// timer) and comparing the encoded view catches a change in any of them.
// The stream ends when the session ends, so a logged-out panel goes quiet.
func (p *Panel) stream(w http.ResponseWriter, r *http.Request, agent string) {
	token := ""
	if c, err := r.Cookie(panelCookie); err == nil {
		token = c.Value
	}
	rc, err := sse.Open(w, "no-store")
	if err != nil {
		return
	}
	ticker := time.NewTicker(p.poll)
	defer ticker.Stop()
	var last []byte
	lastWrite := time.Now()
	for {
		if _, ok := p.sessions.Lookup(token, false); !ok {
			_, _ = fmt.Fprint(w, "event: session_ended\ndata: {}\n\n")
			_ = rc.Flush()
			return
		}
		sent, err := p.pushIfChanged(w, agent, &last)
		if err != nil {
			return
		}
		if !sent && time.Since(lastWrite) >= panelHeartbeat {
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return
			}
			sent = true
		}
		if sent {
			lastWrite = time.Now()
			if err := rc.Flush(); err != nil {
				return
			}
		}
		if !sse.NextTick(r.Context(), p.shutdown, ticker.C) {
			return
		}
	}
}

// pushIfChanged writes the view when its encoding differs from *last. The
// server time is added after the comparison, or every poll would differ.
func (p *Panel) pushIfChanged(w http.ResponseWriter, agent string, last *[]byte) (bool, error) {
	v, err := p.view(agent)
	if err != nil {
		// The agent vanished from a reloaded configuration; keep the
		// stream so the page shows the last view until the session ends.
		p.log.Debug("agent panel view failed", "agent", agent, "err", err)
		return false, nil
	}
	cur, err := json.Marshal(v)
	if err != nil {
		return false, fmt.Errorf("agent panel: encode view: %w", err)
	}
	if bytes.Equal(cur, *last) {
		return false, nil
	}
	*last = cur
	data, err := json.Marshal(panelMessage{PanelView: v, ServerTime: p.now()})
	if err != nil {
		return false, fmt.Errorf("agent panel: encode view: %w", err)
	}
	if _, err := fmt.Fprintf(w, "event: view\ndata: %s\n\n", data); err != nil {
		return false, fmt.Errorf("agent panel: write view: %w", err)
	}
	return true, nil
}
