package callbackconf

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/dialpolicy"
)

// QueueCallback lets a waiting caller leave the queue and be called back
// when their turn comes (virtual hold). Zero durations take the defaults
// listed in Callback defaults below.
type QueueCallback struct {
	Enabled          bool          `yaml:"enabled"`
	OfferAfter       time.Duration `yaml:"offer_after"`        // expected wait above which the offer is made (60s)
	Digit            string        `yaml:"digit"`              // the key that takes the offer ("1")
	AllowOtherNumber *bool         `yaml:"allow_other_number"` // may enter another number that called in (true)
	MaxAttempts      int           `yaml:"max_attempts"`       // dial-out attempts before giving up (3)
	RetryAfter       time.Duration `yaml:"retry_after"`        // pause between attempts (2m)
	GiveUpAfter      time.Duration `yaml:"give_up_after"`      // from the request; then give up (2h)
	RingTimeout      time.Duration `yaml:"ring_timeout"`       // how long the customer's phone rings (30s)
}

// CallbackGateway is the outbound SIP gateway callbacks are dialled
// through. URI holds {number}, replaced by the number to call.
type CallbackGateway struct {
	URI string `yaml:"uri"`
	// Trunks, instead of uri, dials through these trunks (config/trunkconf)
	// in this order, skipping those that are down.
	Trunks        []string `yaml:"trunks"`
	Transport     string   `yaml:"transport"`      // udp (default) or tcp
	FromNumber    string   `yaml:"from_number"`    // caller ID the customer sees
	MaxConcurrent int      `yaml:"max_concurrent"` // simultaneous dial-outs (10)

	// What the gateway may dial, against toll fraud. Patterns are regular
	// expressions matching the whole number as dialled. Left out, the
	// allow-list is mainland China's mobile and fixed-line national numbers
	// and the deny-list its premium and special-service ranges
	// (dialpolicy.DefaultAllowed, DefaultDenied); a configured
	// allowed_numbers has no deny-list but its own denied_numbers.
	AllowedNumbers []string `yaml:"allowed_numbers"`
	DeniedNumbers  []string `yaml:"denied_numbers"`
	MaxPerNumber   int      `yaml:"max_per_number"` // callbacks to one number in any 24 h (3)
	MaxPerHour     int      `yaml:"max_per_hour"`   // callbacks accepted in any hour (60)
}

// Callback defaults.
const (
	DefaultCallbackOfferAfter    = 60 * time.Second
	DefaultCallbackDigit         = "1"
	DefaultCallbackMaxAttempts   = 3
	DefaultCallbackRetryAfter    = 2 * time.Minute
	DefaultCallbackGiveUpAfter   = 2 * time.Hour
	DefaultCallbackRingTimeout   = 30 * time.Second
	DefaultCallbackMaxConcurrent = 10
	DefaultCallbackMaxPerNumber  = 3
	DefaultCallbackMaxPerHour    = 60
)

// WithDefaults fills the zero values.
func (q QueueCallback) WithDefaults() QueueCallback {
	if q.OfferAfter == 0 {
		q.OfferAfter = DefaultCallbackOfferAfter
	}
	if q.Digit == "" {
		q.Digit = DefaultCallbackDigit
	}
	if q.AllowOtherNumber == nil {
		yes := true
		q.AllowOtherNumber = &yes
	}
	if q.MaxAttempts == 0 {
		q.MaxAttempts = DefaultCallbackMaxAttempts
	}
	if q.RetryAfter == 0 {
		q.RetryAfter = DefaultCallbackRetryAfter
	}
	if q.GiveUpAfter == 0 {
		q.GiveUpAfter = DefaultCallbackGiveUpAfter
	}
	if q.RingTimeout == 0 {
		q.RingTimeout = DefaultCallbackRingTimeout
	}
	return q
}

// WithDefaults fills the zero values.
func (g CallbackGateway) WithDefaults() CallbackGateway {
	if g.Transport == "" {
		g.Transport = "udp"
	}
	if g.MaxConcurrent == 0 {
		g.MaxConcurrent = DefaultCallbackMaxConcurrent
	}
	if g.AllowedNumbers == nil {
		g.AllowedNumbers = slices.Clone(dialpolicy.DefaultAllowed)
		if g.DeniedNumbers == nil {
			g.DeniedNumbers = slices.Clone(dialpolicy.DefaultDenied)
		}
	}
	if g.MaxPerNumber == 0 {
		g.MaxPerNumber = DefaultCallbackMaxPerNumber
	}
	if g.MaxPerHour == 0 {
		g.MaxPerHour = DefaultCallbackMaxPerHour
	}
	return g
}

// AllowList compiles the numbers the gateway may dial, defaults applied.
func (g CallbackGateway) AllowList() (*dialpolicy.AllowList, error) {
	d := g.WithDefaults()
	return dialpolicy.NewAllowList(d.AllowedNumbers, d.DeniedNumbers)
}

// Caps are the callback caps, defaults applied.
func (g CallbackGateway) Caps() dialpolicy.Caps {
	d := g.WithDefaults()
	return dialpolicy.Caps{PerNumber: d.MaxPerNumber, PerHour: d.MaxPerHour}
}

// Check reports what is wrong with one queue's callback settings.
func (q QueueCallback) Check() error {
	d := q.WithDefaults()
	switch {
	case d.OfferAfter < 0:
		return fmt.Errorf("offer_after must not be negative")
	case len(d.Digit) != 1 || !strings.Contains("0123456789", d.Digit):
		return fmt.Errorf("digit %q: want one digit 0-9", q.Digit)
	case d.MaxAttempts < 1 || d.MaxAttempts > 10:
		return fmt.Errorf("max_attempts %d: want 1 to 10", q.MaxAttempts)
	case d.RetryAfter < time.Second:
		return fmt.Errorf("retry_after %s: want at least 1s", q.RetryAfter)
	case d.GiveUpAfter < d.RetryAfter || d.GiveUpAfter > 5*time.Hour:
		// Call records of an open call are closed after 6h; a callback
		// must end well before.
		return fmt.Errorf("give_up_after %s: want between retry_after and 5h", q.GiveUpAfter)
	case d.RingTimeout < 5*time.Second || d.RingTimeout > 2*time.Minute:
		return fmt.Errorf("ring_timeout %s: want between 5s and 2m", q.RingTimeout)
	}
	return nil
}

// Check reports what is wrong with the gateway settings.
func (g CallbackGateway) Check() error {
	d := g.WithDefaults()
	if len(d.Trunks) > 0 {
		if d.URI != "" {
			return fmt.Errorf("uri: give uri or trunks, not both")
		}
		if g.Transport != "" {
			return fmt.Errorf("transport: with trunks, each trunk's own transport is used")
		}
		return d.checkPolicy()
	}
	if !strings.HasPrefix(d.URI, "sip:") || strings.Count(d.URI, "{number}") != 1 {
		return fmt.Errorf("uri %q: want sip:...{number}... with {number} once", g.URI)
	}
	host := d.URI[strings.LastIndex(d.URI, "@")+1:]
	if i := strings.IndexAny(host, ";?"); i >= 0 {
		host = host[:i] // URI parameters
	}
	if !strings.Contains(d.URI, "@") || host == "" {
		return fmt.Errorf("uri %q: want sip:{number}@host[:port]", g.URI)
	}
	if h, p, err := net.SplitHostPort(host); err == nil {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 || h == "" {
			return fmt.Errorf("uri %q: bad port", g.URI)
		}
	}
	if d.Transport != "udp" && d.Transport != "tcp" {
		return fmt.Errorf("transport %q: want udp or tcp", g.Transport)
	}
	if d.FromNumber == "" {
		return fmt.Errorf("from_number %q: want the hotline number callers see", g.FromNumber)
	}
	return d.checkPolicy()
}

// checkPolicy checks what the gateway may dial and how much.
func (d CallbackGateway) checkPolicy() error {
	if strings.ContainsAny(d.FromNumber, " @:;<>\"") {
		return fmt.Errorf("from_number %q: want the hotline number callers see", d.FromNumber)
	}
	if d.MaxConcurrent < 1 || d.MaxConcurrent > 1000 {
		return fmt.Errorf("max_concurrent %d: want 1 to 1000", d.MaxConcurrent)
	}
	if len(d.AllowedNumbers) == 0 {
		return fmt.Errorf("allowed_numbers is empty: list the number patterns callbacks may dial")
	}
	if _, err := d.AllowList(); err != nil {
		return err
	}
	if d.MaxPerNumber < 1 || d.MaxPerNumber > 100 {
		return fmt.Errorf("max_per_number %d: want 1 to 100", d.MaxPerNumber)
	}
	if d.MaxPerHour < 1 || d.MaxPerHour > 100000 {
		return fmt.Errorf("max_per_hour %d: want 1 to 100000", d.MaxPerHour)
	}
	return nil
}
