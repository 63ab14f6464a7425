package web

import (
	"errors"
	"net/http"
	"time"
)

// WithPanelReviews shows the agent the quality reviews of their calls
// (this month's, or ?month=YYYY-MM) and lets them acknowledge each.
func WithPanelReviews(ctl ReviewControl, loc *time.Location) PanelOption {
	return func(p *agentPanel) error {
		if ctl == nil {
			return errors.New("agent panel: nil review control")
		}
		if loc == nil {
			loc = time.UTC
		}
		p.reviews = &reviewAPI{ctl: ctl, loc: loc, now: func() time.Time { return p.now() }}
		return nil
	}
}

// panelToken is the agent's own token as the review handlers expect it.
func panelToken(agent string) Token {
	return Token{Name: "agent:" + agent, Role: RoleAgent, Agent: agent}
}

func (p *agentPanel) reviewRoutes(mux handlerRegistrar) {
	if p.reviews == nil {
		return
	}
	mux.HandleFunc("GET /agent/api/reviews", p.auth(func(w http.ResponseWriter, r *http.Request, agent string) {
		p.reviews.list(w, r, panelToken(agent))
	}))
	mux.HandleFunc("POST /agent/api/reviews/{id}/acknowledge", p.post(p.auth(func(w http.ResponseWriter, r *http.Request, agent string) {
		p.reviews.acknowledge(w, r, panelToken(agent))
	})))
}
