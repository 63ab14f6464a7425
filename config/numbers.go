package config

import (
	"errors"
	"time"

	"gopkg.in/yaml.v3"
)

// NumberOptions are a hotline number's settings besides its flow, written
// in the long form of a `numbers:` entry:
//
//	numbers:
//	  "95598": main                                  # short form: the flow
//	  "95599": {flow: main, early_media: free_notice} # long form
type NumberOptions struct {
	// EarlyMedia is a prompt played in 183 Session Progress before the
	// call is answered (docs/sip-media.md#early-media); empty: none.
	EarlyMedia string
}

// numberKeys are the keys of a long-form `numbers:` entry.
var numberKeys = map[string]bool{"flow": true, "early_media": true}

// splitNumbers turns each long-form entry of the document's `numbers:`
// into the short form (its flow) in place, so that Numbers keeps mapping a
// number to its flow, and returns the other settings by number.
func splitNumbers(file string, doc *yaml.Node) (map[string]NumberOptions, []error) {
	var numbers *yaml.Node
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == "numbers" {
			numbers = doc.Content[i+1]
		}
	}
	if numbers == nil || numbers.Kind != yaml.MappingNode {
		return nil, nil
	}
	var errs []error
	out := make(map[string]NumberOptions)
	for i := 0; i+1 < len(numbers.Content); i += 2 {
		number, v := numbers.Content[i].Value, numbers.Content[i+1]
		if v.Kind != yaml.MappingNode {
			continue
		}
		var flow *yaml.Node
		var opts NumberOptions
		for j := 0; j+1 < len(v.Content); j += 2 {
			k, val := v.Content[j], v.Content[j+1]
			switch {
			case !numberKeys[k.Value]:
				errs = append(errs, posErr(file, k, "numbers.%s: unknown key %q (want flow, early_media)", number, k.Value))
			case val.Kind != yaml.ScalarNode || val.Value == "":
				errs = append(errs, posErr(file, val, "numbers.%s.%s: want a name", number, k.Value))
			case k.Value == "flow":
				flow = val
			default:
				opts.EarlyMedia = val.Value
			}
		}
		if flow == nil {
			errs = append(errs, posErr(file, v, "numbers.%s: the long form needs flow", number))
			flow = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Line: v.Line, Column: v.Column}
		}
		numbers.Content[i+1] = flow
		out[number] = opts
	}
	return out, errs
}

// SessionTimer is sip.session_timer: RFC 4028 session timers on callers'
// calls (docs/sip-media.md#session-timers).
type SessionTimer struct {
	Enabled *bool `yaml:"enabled"` // default true
	// MinSE is the smallest interval accepted; a caller asking for less
	// gets 422 with it. Default and floor: 90 s (RFC 4028 section 4).
	MinSE time.Duration `yaml:"min_se"`
	// SessionExpires is the interval asked of a caller that supports
	// timers without requesting one. Default 30 min.
	SessionExpires time.Duration `yaml:"session_expires"`
}

// Session timer defaults and bounds.
const (
	DefaultMinSE          = 90 * time.Second
	DefaultSessionExpires = 30 * time.Minute
	maxSessionExpires     = 24 * time.Hour
)

// On reports whether session timers are used.
func (s SessionTimer) On() bool { return s.Enabled == nil || *s.Enabled }

// WithDefaults fills what the file left out.
func (s SessionTimer) WithDefaults() SessionTimer {
	if s.MinSE == 0 {
		s.MinSE = DefaultMinSE
	}
	if s.SessionExpires == 0 {
		s.SessionExpires = max(DefaultSessionExpires, s.MinSE)
	}
	return s
}

// check validates sip.session_timer.
func (s SessionTimer) check() error {
	d := s.WithDefaults()
	switch {
	case d.MinSE < DefaultMinSE:
		return errors.New("sip.session_timer.min_se must be at least 90s (RFC 4028 section 4)")
	case d.SessionExpires < d.MinSE:
		return errors.New("sip.session_timer.session_expires must not be below min_se")
	case d.SessionExpires > maxSessionExpires:
		return errors.New("sip.session_timer.session_expires must be at most 24h")
	}
	return nil
}
