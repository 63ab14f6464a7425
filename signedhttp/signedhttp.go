// Package signedhttp posts JSON to the services hotline calls out to —
// webhooks, account look-ups, work-order receivers — signed with
// HMAC-SHA256 so that a receiver can check the request came from this
// server and was not altered.
//
// It owns the signature's wire format, the per-attempt timeout, how much of
// an answer is read, and which answers are worth retrying. It must not know
// what is posted or why: retries, back-off, circuit breaking and the
// meaning of an answer belong to the feature that posts.
package signedhttp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"
)

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body.
const SignatureHeader = "X-Hotline-Signature"

// DefaultMaxAnswer is how much of an answer's body is kept when a Request
// does not say: enough for any JSON answer hotline expects, and a bound on
// what a misbehaving service can make us hold.
const DefaultMaxAnswer = 64 << 10

// Sign is the hex HMAC-SHA256 of body with secret, as sent in the
// signature header after "sha256=".
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Request is one POST of a JSON body.
type Request struct {
	URL       string
	Body      []byte
	Header    map[string]string // extra headers, e.g. X-Hotline-Event
	Timeout   time.Duration     // this attempt's limit; 0 leaves it to ctx
	MaxAnswer int64             // answer bytes kept; 0 means DefaultMaxAnswer
}

// Answer is what the service said.
type Answer struct {
	Status int
	Body   []byte // at most Request.MaxAnswer bytes
}

// OK is a 2xx answer.
func (a Answer) OK() bool { return a.Status >= 200 && a.Status <= 299 }

// Retryable is an answer that may succeed if sent again: the service is
// overloaded (429) or failed (5xx). Every other refusal will be refused
// again.
func (a Answer) Retryable() bool {
	return a.Status == http.StatusTooManyRequests || a.Status >= 500
}

// Poster sends signed requests. The zero Poster uses http.DefaultClient
// and does not sign.
type Poster struct {
	Client *http.Client
	Secret []byte // no signature header when empty
}

// Post sends r. An error with a zero Answer means the request never got an
// answer (refused connection, timeout, cancelled ctx); an error with a
// non-zero Status means the answer's body could not be read in full, and
// Body holds what was read.
func (p Poster) Post(ctx context.Context, r Request) (Answer, error) {
	if r.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.Timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Answer{}, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	if len(p.Secret) > 0 {
		req.Header.Set(SignatureHeader, "sha256="+Sign(p.Secret, r.Body))
	}
	client := p.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	limit := r.MaxAnswer
	if limit <= 0 {
		limit = DefaultMaxAnswer
	}
	// Reading (up to the limit) also lets the connection be reused.
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	ans := Answer{Status: resp.StatusCode, Body: body}
	if err != nil {
		return ans, fmt.Errorf("read answer: %w", err)
	}
	return ans, nil
}
