package agentpanel

import (
	"errors"
	"net/http"
	"time"

	"github.com/hotline-oss/hotline/web/rest"
	"github.com/hotline-oss/hotline/web/webkit"
)

// WithPanelReviews shows the agent the quality reviews of their calls
// (this month's, or ?month=YYYY-MM) and lets them acknowledge each.
func WithPanelReviews(ctl rest.ReviewControl, loc *time.Location) PanelOption {
	return func(p *Panel) error {
		if ctl == nil {
			return errors.New("agent panel: nil review control")
		}
		if loc == nil {
			loc = time.UTC
		}
		p.reviews = rest.NewReviews(ctl, nil, loc, func() time.Time { return p.now() })
		return nil
	}
}

// panelToken is the agent's own token as the review handlers expect it.
func panelToken(agent string) webkit.Token {
	return webkit.Token{Name: "agent:" + agent, Role: webkit.RoleAgent, Agent: agent}
}

func (p *Panel) reviewRoutes(mux webkit.Registrar) {
	if p.reviews == nil {
		return
	}
	mux.HandleFunc("GET /agent/api/reviews", p.auth(func(w http.ResponseWriter, r *http.Request, agent string) {
		p.reviews.List(w, r, panelToken(agent))
	}))
	mux.HandleFunc("POST /agent/api/reviews/{id}/acknowledge", p.post(p.auth(func(w http.ResponseWriter, r *http.Request, agent string) {
		p.reviews.Acknowledge(w, r, panelToken(agent))
	})))
}
