package config

import "github.com/hotline-oss/hotline/config/callbackconf"

// The callback sections (a queue's callback offer and the gateway that
// dials out), their defaults and checks live in package callbackconf;
// these names keep them where the rest of the server reads the
// configuration.
type (
	QueueCallback   = callbackconf.QueueCallback
	CallbackGateway = callbackconf.CallbackGateway
)

// Callback defaults (see callbackconf).
const (
	DefaultCallbackOfferAfter    = callbackconf.DefaultCallbackOfferAfter
	DefaultCallbackDigit         = callbackconf.DefaultCallbackDigit
	DefaultCallbackMaxAttempts   = callbackconf.DefaultCallbackMaxAttempts
	DefaultCallbackRetryAfter    = callbackconf.DefaultCallbackRetryAfter
	DefaultCallbackGiveUpAfter   = callbackconf.DefaultCallbackGiveUpAfter
	DefaultCallbackRingTimeout   = callbackconf.DefaultCallbackRingTimeout
	DefaultCallbackMaxConcurrent = callbackconf.DefaultCallbackMaxConcurrent
	DefaultCallbackMaxPerNumber  = callbackconf.DefaultCallbackMaxPerNumber
	DefaultCallbackMaxPerHour    = callbackconf.DefaultCallbackMaxPerHour
)

// validateCallback checks every queue's callback and the gateway they need.
func (c *Config) validateCallback() []error {
	var errs []error
	needGateway := false
	for name, q := range c.Queues {
		if q.Callback == nil {
			continue
		}
		if err := q.Callback.Check(); err != nil {
			errs = append(errs, c.Errorf("queues", "queues.%s.callback: %v", name, err))
		}
		if q.Callback.Enabled && q.ExitDigit != "" && q.ExitDigit == q.Callback.WithDefaults().Digit {
			errs = append(errs, c.Errorf("queues", "queues.%s.callback.digit %q is also the queue's exit_digit", name, q.ExitDigit))
		}
		needGateway = needGateway || q.Callback.Enabled
	}
	switch {
	case c.CallbackGateway != nil:
		if err := c.CallbackGateway.Check(); err != nil {
			errs = append(errs, c.Errorf("callback_gateway", "callback_gateway: %v", err))
		}
	case needGateway:
		errs = append(errs, c.Errorf("queues", "a queue enables callback but callback_gateway is not configured"))
	}
	return errs
}
