package testphone

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

const (
	fakeRealm      = "hotline"
	fakeMinExpires = 60
	fakeCallerID   = "13900000009"
)

// farDialog is a dialog at the UAS, whichever side of the INVITE it took.
type farDialog interface {
	Do(ctx context.Context, req *sip.Request) (*sip.Response, error)
	Bye(ctx context.Context) error
	ReadBye(req *sip.Request, tx sip.ServerTransaction) error
	ReadRequest(req *sip.Request, tx sip.ServerTransaction) error
}

// matchDialog finds the dialog of an in-dialog request: one the phone
// placed, or one the UAS placed to the phone.
func (u *fakeUAS) matchDialog(req *sip.Request) (farDialog, error) {
	if d, err := u.cache(req).MatchDialogRequest(req); err == nil {
		return d, nil
	}
	d, err := u.dialers[req.Transport()].MatchRequestDialog(req)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// newUDPDialer builds the cache for calls to the phone over UDP, sent from
// the UAS's listening socket as a real server's would be. Pinning a request
// to that socket before sipgo adopted it would make sipgo bind the port
// again, so wait for it first.
func (u *fakeUAS) newUDPDialer() *sipgo.DialogClientCache {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	for {
		conn, err := u.ua.TransportLayer().GetConnection("udp", u.UDPAddr())
		if err == nil {
			_, _ = conn.TryClose() // undo the reference GetConnection took
			break
		}
		select {
		case <-ctx.Done():
			u.t.Fatalf("uas: udp listener never ready: %v", err)
		case <-time.After(time.Millisecond): // polling: sipgo has no readiness signal
		}
	}
	client, err := sipgo.NewClient(u.ua, sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientConnectionAddr(u.UDPAddr()))
	if err != nil {
		u.t.Fatalf("uas dialer: %v", err)
	}
	return sipgo.NewDialogClientCache(client, contactAt(u.UDPAddr(), ""))
}

// fakeRegistrar challenges with the configured algorithms (in order),
// checks answers with its own digest arithmetic, and keeps bindings.
type fakeRegistrar struct {
	mu         sync.Mutex
	user       string
	password   string
	algorithms []string
	staleOnce  bool // call the first correct answer's nonce stale
	nonces     map[string]bool
	attempts   []registerAttempt
	invites    []registerAttempt // challenged INVITEs, judged the same way
	bindings   map[string]int    // contact URI -> expires seconds
}

// registerAttempt is one REGISTER as the registrar judged it.
type registerAttempt struct {
	callID     string
	cseq       uint32
	expires    int
	algorithm  string // "" when the REGISTER carried no credentials
	digestURI  string
	requestURI string
	verified   bool
}

func (r *fakeRegistrar) init() {
	r.user, r.password = "1001", "s3cret"
	r.algorithms = []string{AlgorithmSHA256, AlgorithmMD5}
	r.nonces = make(map[string]bool)
	r.bindings = make(map[string]int)
}

func (u *fakeUAS) configureRegistrar(user, password string, algorithms ...string) {
	u.reg.mu.Lock()
	defer u.reg.mu.Unlock()
	u.reg.user, u.reg.password, u.reg.algorithms = user, password, algorithms
}

func (u *fakeUAS) registerLog() []registerAttempt {
	u.reg.mu.Lock()
	defer u.reg.mu.Unlock()
	return append([]registerAttempt(nil), u.reg.attempts...)
}

func (u *fakeUAS) binding(contact string) (int, bool) {
	u.reg.mu.Lock()
	defer u.reg.mu.Unlock()
	expires, ok := u.reg.bindings[contact]
	return expires, ok
}

func (u *fakeUAS) onRegister(req *sip.Request, tx sip.ServerTransaction) {
	r := &u.reg
	r.mu.Lock()
	defer r.mu.Unlock()
	attempt := registerAttempt{callID: req.CallID().Value(), cseq: req.CSeq().SeqNo, requestURI: req.Recipient.String()}
	if h := req.GetHeader("Expires"); h != nil {
		attempt.expires, _ = strconv.Atoi(h.Value())
	}
	stale := false
	if h := req.GetHeader("Authorization"); h != nil {
		cred, err := digest.ParseCredentials(h.Value())
		if err != nil {
			u.t.Errorf("registrar: authorization %q: %v", h.Value(), err)
		} else {
			attempt.algorithm, attempt.digestURI = cred.Algorithm, cred.URI
			attempt.verified = r.nonces[cred.Nonce] && cred.Username == r.user &&
				cred.Realm == fakeRealm && cred.Response == expectedDigest(cred, "REGISTER", r.password)
			if attempt.verified && r.staleOnce {
				r.staleOnce, attempt.verified, stale = false, false, true
			}
		}
	}
	r.attempts = append(r.attempts, attempt)
	switch {
	case !attempt.verified:
		_ = tx.Respond(r.challenge(req, stale))
	case attempt.expires > 0 && attempt.expires < fakeMinExpires:
		res := sip.NewResponseFromRequest(req, sip.StatusIntervalToBrief, "Interval Too Brief", nil)
		res.AppendHeader(sip.NewHeader("Min-Expires", strconv.Itoa(fakeMinExpires)))
		_ = tx.Respond(res)
	default:
		_ = tx.Respond(r.bind(req, attempt.expires))
	}
}

// authorizeInvite checks an INVITE's credentials against the registrar's
// user, answering 401 with a fresh challenge when they do not pass.
func (u *fakeUAS) authorizeInvite(req *sip.Request, dialog *sipgo.DialogServerSession) bool {
	r := &u.reg
	r.mu.Lock()
	defer r.mu.Unlock()
	attempt := registerAttempt{callID: req.CallID().Value(), cseq: req.CSeq().SeqNo, requestURI: req.Recipient.String()}
	if h := req.GetHeader("Authorization"); h != nil {
		if cred, err := digest.ParseCredentials(h.Value()); err == nil {
			attempt.algorithm, attempt.digestURI = cred.Algorithm, cred.URI
			attempt.verified = r.nonces[cred.Nonce] && cred.Username == r.user &&
				cred.Response == expectedDigest(cred, "INVITE", r.password)
		}
	}
	r.invites = append(r.invites, attempt)
	if attempt.verified {
		return true
	}
	challenge := r.challenge(req, false)
	_ = dialog.Respond(sip.StatusUnauthorized, "Unauthorized", nil, challenge.GetHeaders("WWW-Authenticate")...)
	return false
}

func (r *fakeRegistrar) challenge(req *sip.Request, stale bool) *sip.Response {
	res := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
	var raw [12]byte
	_, _ = rand.Read(raw[:])
	nonce := hex.EncodeToString(raw[:])
	r.nonces[nonce] = true
	for _, alg := range r.algorithms {
		v := fmt.Sprintf(`Digest realm=%q, nonce=%q, algorithm=%s, qop="auth"`, fakeRealm, nonce, alg)
		if stale {
			v += ", stale=true"
		}
		res.AppendHeader(sip.NewHeader("WWW-Authenticate", v))
	}
	return res
}

func (r *fakeRegistrar) bind(req *sip.Request, expires int) *sip.Response {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	if contact := req.Contact(); contact != nil {
		key := contact.Address.String()
		if expires == 0 {
			delete(r.bindings, key)
		} else {
			r.bindings[key] = expires
		}
	}
	for uri, seconds := range r.bindings {
		c := &sip.ContactHeader{Params: sip.NewParams()}
		if err := sip.ParseUri(uri, &c.Address); err != nil {
			continue
		}
		c.Params.Add("expires", strconv.Itoa(seconds))
		res.AppendHeader(c)
	}
	return res
}

// expectedDigest is RFC 7616 section 3.4.1 with qop=auth, written out so
// that the phone's arithmetic is checked against an independent one.
func expectedDigest(cred *digest.Credentials, method, password string) string {
	var h hash.Hash
	switch strings.ToUpper(cred.Algorithm) {
	case "", AlgorithmMD5:
		h = md5.New()
	case AlgorithmSHA256:
		h = sha256.New()
	default:
		return "unsupported algorithm " + cred.Algorithm
	}
	sum := func(s string) string {
		h.Reset()
		h.Write([]byte(s))
		return hex.EncodeToString(h.Sum(nil))
	}
	ha1 := sum(cred.Username + ":" + cred.Realm + ":" + password)
	ha2 := sum(method + ":" + cred.URI)
	return sum(fmt.Sprintf("%s:%s:%08x:%s:%s:%s", ha1, cred.Nonce, cred.Nc, cred.Cnonce, cred.QOP, ha2))
}

// referRecord is one REFER the UAS accepted.
type referRecord struct {
	callID     string
	referTo    string
	referredBy string
	requestURI string
	fromTag    string
	toTag      string
}

func (u *fakeUAS) referLog() []referRecord {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]referRecord(nil), u.refers...)
}

// onRefer accepts a REFER with 202 and, like the hotline, reports
// progress with two sipfrag NOTIFYs: 100 Trying, then 200 OK.
func (u *fakeUAS) onRefer(req *sip.Request, tx sip.ServerTransaction) {
	dialog, err := u.matchDialog(req)
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "No Dialog", nil))
		return
	}
	rec := referRecord{callID: req.CallID().Value(), requestURI: req.Recipient.String(),
		fromTag: tagOf(req.From().Params), toTag: tagOf(req.To().Params)}
	if h := req.GetHeader("Refer-To"); h != nil {
		rec.referTo = h.Value()
	}
	if h := req.GetHeader("Referred-By"); h != nil {
		rec.referredBy = h.Value()
	}
	u.mu.Lock()
	u.refers = append(u.refers, rec)
	u.mu.Unlock()
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusAccepted, "Accepted", nil))

	target := req.Contact().Address
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		for _, frag := range []string{"SIP/2.0 100 Trying", "SIP/2.0 200 OK"} {
			notify := sip.NewRequest(sip.NOTIFY, target)
			notify.AppendHeader(sip.NewHeader("Event", "refer"))
			notify.AppendHeader(sip.NewHeader("Subscription-State", "active"))
			notify.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
			notify.SetBody([]byte(frag + "\r\n"))
			res, err := dialog.Do(ctx, notify)
			if err != nil || res == nil {
				// A test may end the call, and close both ends, as soon as
				// the phone has read the NOTIFY: our transaction dies then
				// (and sipgo may report neither a response nor an error).
				u.t.Logf("uas: NOTIFY %q: %v", frag, err)
				return
			}
			if res.StatusCode != sip.StatusOK {
				u.t.Errorf("uas: NOTIFY %q answered %d", frag, res.StatusCode)
				return
			}
		}
	}()
}

// phoneDial is a call the UAS places to the phone.
type phoneDial struct {
	dialog *sipgo.DialogClientSession
	call   *uasCall // nil unless answered
	// provisional lists the codes of provisional responses, in order.
	provisional []int
}

// callPhone rings the phone from fakeCallerID and, on 2xx, acknowledges
// it and echoes a tone to the phone's RTP like answered calls do. onRinging
// runs at the first 180. A non-2xx final response is returned as an
// error wrapping *sipgo.ErrDialogResponse.
func (u *fakeUAS) callPhone(ctx context.Context, p *Phone, onRinging func()) (*phoneDial, error) {
	conn, err := listenRTP()
	if err != nil {
		return nil, err
	}
	offer, err := sdpoffer.Build(sdpoffer.Params{
		SessionID: 9, Version: 1, IP: "127.0.0.1", Port: conn.LocalAddr().(*net.UDPAddr).Port,
		Codecs: []sdpoffer.Codec{knownCodec("PCMA"), knownCodec("PCMU")}, DTMFPT: defaultDTMFPT, Direction: DirSendRecv,
	})
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	dial := &phoneDial{}
	if dial.dialog, err = u.dialers[p.transport].WriteInvite(ctx, u.inviteTo(p, offer)); err != nil {
		_ = conn.Close()
		return nil, err
	}
	err = dial.dialog.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(res *sip.Response) error {
		if res.IsProvisional() {
			dial.provisional = append(dial.provisional, res.StatusCode)
			if res.StatusCode == sip.StatusRinging && onRinging != nil {
				onRinging()
				onRinging = nil
			}
		}
		return nil
	}})
	if err != nil {
		_ = conn.Close()
		_ = dial.dialog.Close()
		return dial, err
	}
	if err := dial.dialog.Ack(ctx); err != nil {
		_ = conn.Close()
		return dial, err
	}
	answer, err := sdpoffer.Parse(dial.dialog.InviteResponse.Body(), []sdpoffer.Codec{knownCodec("PCMA"), knownCodec("PCMU")})
	if err != nil {
		_ = conn.Close()
		return dial, err
	}
	dial.call = u.adoptCall(dial.dialog, conn, answer.PayloadType, false)
	dial.call.start(&u.wg)
	return dial, nil
}

func (u *fakeUAS) inviteTo(p *Phone, offer []byte) *sip.Request {
	host, port := splitHostPort(p.Addr())
	req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: p.cfg.User, Host: host, Port: port})
	req.SetTransport(p.transport)
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: fakeCallerID, Host: "127.0.0.1"}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(12))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: p.cfg.User, Host: host}, Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("Content-Type", contentTypeSDP))
	req.SetBody(offer)
	return req
}

// rejectedWith unwraps the final status of a refused callPhone.
func rejectedWith(err error) int {
	var rejected *sipgo.ErrDialogResponse
	if errors.As(err, &rejected) {
		return rejected.Res.StatusCode
	}
	return 0
}

// receiveWithin reads one value from ch or fails the wait.
func receiveWithin[T any](ctx context.Context, ch <-chan T) (T, error) {
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
