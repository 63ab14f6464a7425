package visitcall

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/dialpolicy"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/callout"
	"github.com/hotline-oss/hotline/tickets"
)

// DoNotCall is the refusal reason of a number on the do-not-call list.
const DoNotCall dialpolicy.Reason = "do_not_call"

// Deps are what the return-visit dialer works with.
type Deps struct {
	SIP     *sip.Endpoint
	Prompts Prompts
	Clock   tickets.Clock
	Log     *slog.Logger
	// Known reports whether number called the hotline: only such a number
	// is ever dialled (the callback registry's rule).
	Known func(number string) bool
	// Routes, when set, dials through callback_gateway.trunks.
	Routes func(number string) []callout.TrunkRoute
}

// Dialer dials return visits through the callback gateway or its
// trunks, with the callback machinery's registry (callout.Callbacks): a
// number that never called in is refused, and before every dial the
// allow-list, the do-not-call list and the caps are checked again.
type Dialer struct {
	d           Deps
	calls       *callout.Callbacks
	allow       *dialpolicy.AllowList
	doNotCall   []*regexp.Regexp
	caps        dialpolicy.Caps
	ledger      dialpolicy.Ledger
	ringTimeout time.Duration
}

// New builds the dialer from callback_gateway and
// tickets.return_visit; nil without a gateway.
func New(cfg *config.Config, d Deps) (*Dialer, error) {
	if cfg.CallbackGateway == nil || d.SIP == nil {
		return nil, nil
	}
	for _, lang := range cfg.Languages {
		for _, p := range visitPrompts {
			if d.Prompts.Get(lang, p) == nil {
				return nil, cfg.Errorf("tickets", "tickets.return_visit: prompt %q missing for language %s", p, lang)
			}
		}
	}
	gw := cfg.CallbackGateway.WithDefaults()
	allow, err := gw.AllowList()
	if err != nil {
		return nil, cfg.Errorf("callback_gateway", "callback_gateway: %v", err)
	}
	rv := cfg.Tickets.ReturnVisit.WithDefaults()
	v := &Dialer{d: d, allow: allow, caps: gw.Caps(), ringTimeout: rv.RingTimeout}
	for _, p := range rv.DoNotCall {
		re, err := regexp.Compile("^(?:" + p + ")$")
		if err != nil {
			return nil, cfg.Errorf("tickets", "tickets.return_visit.do_not_call %q: %v", p, err)
		}
		v.doNotCall = append(v.doNotCall, re)
	}
	opts := []callout.CallbacksOption{callout.WithDialCheck(v.check)}
	if d.Routes != nil {
		opts = append(opts, callout.WithRoutes(d.Routes))
	}
	v.calls, err = callout.NewCallbacks(d.SIP, callout.GatewayConfig{
		URI: gw.URI, Transport: gw.Transport, FromNumber: gw.FromNumber, MaxConcurrent: gw.MaxConcurrent,
	}, d.Known, opts...)
	if err != nil {
		return nil, fmt.Errorf("tickets: return visits: %w", err)
	}
	return v, nil
}

// check is the last word before each dial: allowed, not on the
// do-not-call list, within the caps.
func (v *Dialer) check(id, number string) error {
	if err := v.allowed(number); err != nil {
		return err
	}
	return v.ledger.Admit(v.d.Clock.Now(), id, number, v.caps)
}

// allowed: on the allow-list and not on the do-not-call list.
func (v *Dialer) allowed(number string) error {
	if err := v.allow.Check(number); err != nil {
		return err
	}
	for _, re := range v.doNotCall {
		if re.MatchString(number) {
			return &dialpolicy.Refusal{Reason: DoNotCall}
		}
	}
	return nil
}

// Visit implements Dialer.
func (v *Dialer) Visit(ctx context.Context, c tickets.VisitCall) (tickets.VisitAnswers, error) {
	id := c.TicketID + "-rv" + strconv.Itoa(c.Attempt)
	ticket, err := v.calls.Restore(id, c.Number)
	if err != nil {
		return tickets.VisitAnswers{}, fmt.Errorf("%w: %w", tickets.ErrVisitRefused, err)
	}
	defer v.calls.Forget(ticket)
	leg, err := v.calls.DialCallback(ctx, ticket, v.ringTimeout)
	switch {
	case errors.Is(err, callout.ErrDialRefused):
		return tickets.VisitAnswers{}, fmt.Errorf("%w: %w", tickets.ErrVisitRefused, err)
	case errors.Is(err, sip.ErrNoAnswer), errors.Is(err, sip.ErrAgentBusy), errors.Is(err, sip.ErrAgentDeclined):
		return tickets.VisitAnswers{}, fmt.Errorf("%w: %w", tickets.ErrVisitUnanswered, err)
	case err != nil:
		return tickets.VisitAnswers{}, err
	}
	defer leg.Hangup()
	ans, err := runSurvey(ctx, leg.Media(), leg.Done(), v.d.Prompts, c.Language)
	ans.CallID = leg.CallID()
	return ans, err
}

// CallForAgent implements AgentCaller: the agent's phone rings first;
// once they answer, the customer is dialled (within the same policy) and
// the two are bridged until either hangs up. It returns once the agent's
// phone rings; the call goes on in the background.
func (v *Dialer) CallForAgent(_ context.Context, agent, number, ticketID string) error {
	ticket, err := v.calls.Restore(ticketID+"-agent-"+strconv.FormatInt(v.d.Clock.Now().UnixMilli(), 36), number)
	if err != nil {
		return fmt.Errorf("%w: %w", tickets.ErrVisitRefused, err)
	}
	if err := v.allowed(number); err != nil { // the caps are counted at the dial
		v.calls.Forget(ticket)
		return fmt.Errorf("%w: %w", tickets.ErrVisitRefused, err)
	}
	go v.agentCall(agent, ticketID, ticket)
	return nil
}

func (v *Dialer) agentCall(agent, ticketID string, ticket *callout.CallbackTicket) {
	defer v.calls.Forget(ticket)
	log := v.d.Log.With("ticket", ticketID, "agent", agent)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	al, err := v.d.SIP.DialAgent(ctx, agent, "ticket-"+ticketID, v.ringTimeout)
	if err != nil {
		log.Info("return visit by hand: agent did not answer", "err", err)
		return
	}
	defer al.Hangup()
	cust, err := v.calls.DialCallback(ctx, ticket, v.ringTimeout)
	if err != nil {
		log.Info("return visit by hand: customer not reached", "err", err)
		return
	}
	defer cust.Hangup()
	bridge, err := media.Bridge(cust.Media(), al.Media())
	if err != nil {
		log.Warn("return visit by hand: bridge failed", "err", err)
		return
	}
	defer bridge.Close()
	select {
	case <-cust.Done():
	case <-al.Done():
	}
}
