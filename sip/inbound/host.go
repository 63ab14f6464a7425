package inbound

import (
	"context"
	"log/slog"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/sip/sipheader"
)

// Host is what a caller's call needs of the endpoint that answered it.
type Host interface {
	// Reply answers req with a bodiless response.
	Reply(req *sipmsg.Request, tx sipmsg.ServerTransaction, code int, reason string, headers ...sipmsg.Header)
	// Respond sends res on tx.
	Respond(tx sipmsg.ServerTransaction, res *sipmsg.Response)
	// Contact is our Contact address on transport.
	Contact(transport string) sipmsg.Uri
	// TimerPolicy is our side of session timer negotiation.
	TimerPolicy() sipheader.TimerPolicy
	// TransactionTimeout is 64*T1: how long a request we send may wait.
	TransactionTimeout() time.Duration
	// Context ends when the endpoint shuts down.
	Context() context.Context
	// Codecs are the codecs we offer callers, in order of preference.
	Codecs() []rtpcodec.Codec
	// SessionExpired is told of each call ended because its session timer
	// ran out.
	SessionExpired()
	// Log is the endpoint's logger, for what happens before a call has
	// its own.
	Log() *slog.Logger
}
