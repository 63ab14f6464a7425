package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/hotline-oss/hotline/web/sse"
	"github.com/hotline-oss/hotline/web/webkit"
)

// consoleMessage is one update of the console: the floor and the
// server's time, so the page counts time in state against the server's
// clock rather than the PC's.
type consoleMessage struct {
	ConsoleSnapshot
	Tickets    *TicketCounts `json:"tickets,omitempty"`
	ServerTime time.Time     `json:"server_time"`
}

// snapshot reads the floor and adds adherence.
func (c *Console) snapshot() consoleMessage {
	snap := c.d.Source.ConsoleSnapshot()
	if c.d.Adherence != nil {
		if adh := c.d.Adherence(); len(adh) > 0 {
			for i := range snap.Agents {
				if v, ok := adh[snap.Agents[i].ID]; ok {
					snap.Agents[i].Adherence = &v
				}
			}
		}
	}
	if snap.Agents == nil {
		snap.Agents = []ConsoleAgent{}
	}
	if snap.Waiting == nil {
		snap.Waiting = []WaitingView{}
	}
	msg := consoleMessage{ConsoleSnapshot: snap, ServerTime: c.now()}
	if c.d.TicketCounts != nil {
		counts := c.d.TicketCounts()
		msg.Tickets = &counts
	}
	return msg
}

// stream sends one "snapshot" event per period until the client goes
// away, the session ends or the server shuts down. The whole floor goes
// each time: at 2 000 agents that is a few hundred kilobytes a second to
// each open console, which keeps the page simple and a lost event
// harmless.
func (c *Console) stream(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	session := ""
	if ck, err := r.Cookie(consoleCookie); err == nil {
		session = ck.Value
	}
	rc, err := sse.Open(w, "no-store")
	if err != nil {
		return
	}
	ticker := time.NewTicker(c.d.Period)
	defer ticker.Stop()
	for {
		if _, ok := c.sessions.Lookup(session, false); !ok {
			_, _ = fmt.Fprint(w, "event: session_ended\ndata: {}\n\n")
			_ = rc.Flush()
			return
		}
		data, err := json.Marshal(c.snapshot())
		if err != nil {
			_, _ = fmt.Fprintf(w, ": snapshot: %s\n\n", err)
		} else if _, err := fmt.Fprintf(w, "event: snapshot\ndata: %s\n\n", data); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
		if !sse.NextTick(r.Context(), c.shutdown, ticker.C) {
			return
		}
	}
}
