package selfservice

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
)

// BenchmarkLookupDemoInProcess is the built-in demo responder through the
// full client (JSON both ways, breaker); BenchmarkLookupLoopback adds a
// real HTTP round trip on loopback. Neither has a target: a look-up's cost
// is the remote service's.
func BenchmarkLookupDemoInProcess(b *testing.B) {
	c := newLookupClient("accounts", config.Service{URL: config.BuiltinDemoURL}, func() string { return "http://builtin.demo" + DemoAccountsPath }, realClock{})
	c.poster.Client = &http.Client{Transport: handlerTransport{DemoAccountsHandler(realClock{}, time.UTC)}}
	benchLookup(b, c)
}

func BenchmarkLookupLoopback(b *testing.B) {
	c, _ := testClient(b, DemoAccountsHandler(realClock{}, time.UTC), config.Service{})
	benchLookup(b, c)
}

func benchLookup(b *testing.B, c *lookupClient) {
	ctx := context.Background()
	for b.Loop() {
		if _, res, err := c.Lookup(ctx, LookupRequest{Account: "1234567890"}); res != LookupOK {
			b.Fatal(res, err)
		}
	}
}

func BenchmarkAccountSpeech(b *testing.B) {
	vars := map[string]string{ivr.VarBalanceCents: "1234567", ivr.VarArrearsCents: "5000", ivr.VarDueDate: "2026-12-05"}
	for b.Loop() {
		if len(ivr.AccountSpeech("zh", vars)) == 0 {
			b.Fatal("nothing said")
		}
	}
}

// realClock is the wall clock, for benchmarks only.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
