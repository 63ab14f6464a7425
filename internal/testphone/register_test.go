package testphone

import (
	"errors"
	"testing"
	"time"
)

// agentPhone is a phone for the UAS's registrar user.
func agentPhone(t *testing.T, uas *fakeUAS) *Phone {
	t.Helper()
	return newPhoneFor(t, uas, Config{User: "1001"})
}

func contactOf(p *Phone) string { return p.contact.Address.String() }

func TestRegisterPrefersSHA256Challenge(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)

	reg, err := p.RegisterWith(ctx, RegisterOptions{Password: "s3cret", Expires: 120 * time.Second})
	if err != nil {
		t.Fatalf("RegisterWith: %v", err)
	}
	if reg.Code != 200 || reg.Algorithm != AlgorithmSHA256 || reg.Expires != 120*time.Second {
		t.Errorf("registration = %+v, want 200 via SHA-256 for 120s", reg)
	}
	if len(reg.Contacts) != 1 || reg.Contacts[0] != contactOf(p) {
		t.Errorf("Contacts = %v, want [%s]", reg.Contacts, contactOf(p))
	}
	attempts := uas.registerLog()
	if len(attempts) != 2 {
		t.Fatalf("registrar saw %d REGISTERs, want challenge + answer: %+v", len(attempts), attempts)
	}
	first, second := attempts[0], attempts[1]
	if first.algorithm != "" || !second.verified || second.algorithm != AlgorithmSHA256 {
		t.Errorf("attempts = %+v, want bare REGISTER then verified SHA-256 answer", attempts)
	}
	if second.digestURI != second.requestURI {
		t.Errorf("digest uri %q, Request-URI %q: must be equal", second.digestURI, second.requestURI)
	}
	if first.callID != second.callID || second.cseq != first.cseq+1 || second.expires != 120 {
		t.Errorf("Call-ID/CSeq/Expires not kept per RFC 3261 10.2: %+v", attempts)
	}
	if expires, ok := uas.binding(contactOf(p)); !ok || expires != 120 {
		t.Errorf("binding = %d, %v; want 120s", expires, ok)
	}
}

func TestRegisterAnswersMD5(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)

	t.Run("only MD5 offered", func(t *testing.T) {
		uas.configureRegistrar("1001", "s3cret", AlgorithmMD5)
		reg, err := p.RegisterWith(ctx, RegisterOptions{Password: "s3cret", Expires: time.Hour})
		if err != nil || reg.Algorithm != AlgorithmMD5 {
			t.Fatalf("RegisterWith = %+v, %v; want MD5 success", reg, err)
		}
	})
	t.Run("MD5 insisted on", func(t *testing.T) {
		uas.configureRegistrar("1001", "s3cret", AlgorithmSHA256, AlgorithmMD5)
		reg, err := p.RegisterWith(ctx, RegisterOptions{Password: "s3cret", Expires: time.Hour, Algorithm: "md5"})
		if err != nil || reg.Algorithm != AlgorithmMD5 {
			t.Fatalf("RegisterWith = %+v, %v; want MD5 success", reg, err)
		}
	})
	t.Run("algorithm not offered", func(t *testing.T) {
		uas.configureRegistrar("1001", "s3cret", AlgorithmMD5)
		_, err := p.RegisterWith(ctx, RegisterOptions{Password: "s3cret", Expires: time.Hour, Algorithm: AlgorithmSHA256})
		if !errors.Is(err, ErrNoUsableChallenge) {
			t.Fatalf("RegisterWith = %v, want ErrNoUsableChallenge", err)
		}
	})
	for _, a := range uas.registerLog() {
		if a.algorithm != "" && !a.verified {
			t.Errorf("registrar rejected an answer: %+v", a)
		}
	}
}

func TestRegisterWrongPasswordReturns401(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)

	err := p.Register(ctx, "wrong", time.Hour)
	var status *StatusError
	if !errors.As(err, &status) || status.Code != 401 {
		t.Fatalf("Register(wrong) = %v, want StatusError 401", err)
	}
	attempts := uas.registerLog()
	if len(attempts) != 2 || attempts[1].verified || attempts[1].algorithm == "" {
		t.Errorf("attempts = %+v, want one answered challenge, not verified, and no retry loop", attempts)
	}
	if _, bound := uas.binding(contactOf(p)); bound {
		t.Error("wrong password left a binding")
	}
}

func TestRegisterRetriesStaleNonceOnce(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	uas.reg.mu.Lock()
	uas.reg.staleOnce = true
	uas.reg.mu.Unlock()
	p := agentPhone(t, uas)

	if err := p.Register(ctx, "s3cret", time.Hour); err != nil {
		t.Fatalf("Register after stale nonce: %v", err)
	}
	if n := len(uas.registerLog()); n != 3 {
		t.Errorf("registrar saw %d REGISTERs, want 3 (bare, stale, fresh)", n)
	}
}

func TestRegisterIntervalTooBrief(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)

	_, err := p.RegisterWith(ctx, RegisterOptions{Password: "s3cret", Expires: 30 * time.Second})
	var status *StatusError
	if !errors.As(err, &status) || status.Code != 423 {
		t.Fatalf("RegisterWith(30s) = %v, want StatusError 423", err)
	}
	reg, err := p.RegisterWith(ctx, RegisterOptions{Password: "s3cret", Expires: 30 * time.Second, FollowMinExpires: true})
	if err != nil || reg.Expires != fakeMinExpires*time.Second {
		t.Fatalf("RegisterWith(follow) = %+v, %v; want the registrar's minimum", reg, err)
	}
}

func TestUnregisterRemovesBinding(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)

	if err := p.Register(ctx, "s3cret", time.Hour); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if err := p.Unregister(ctx); err != nil {
		t.Fatalf("Unregister: %v", err)
	}
	if _, bound := uas.binding(contactOf(p)); bound {
		t.Error("binding still present after Unregister")
	}
	attempts := uas.registerLog()
	last := attempts[len(attempts)-1]
	if last.expires != 0 || !last.verified {
		t.Errorf("last REGISTER = %+v, want authenticated Expires: 0", last)
	}
}

func TestRegisterOverTCP(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{User: "1001", Transport: "tcp"})
	if err := p.Register(ctx, "s3cret", time.Hour); err != nil {
		t.Fatalf("Register over TCP: %v", err)
	}
	if _, bound := uas.binding(contactOf(p)); !bound {
		t.Errorf("no binding for %s", contactOf(p))
	}
}

func TestConfigPasswordAnswersInviteChallenge(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)

	p := newPhoneFor(t, uas, Config{User: "1001", Password: "s3cret"})
	call, _ := dial(t, ctx, uas, p, numberSecure)
	if err := call.Hangup(ctx); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	uas.reg.mu.Lock()
	invites := append([]registerAttempt(nil), uas.reg.invites...)
	uas.reg.mu.Unlock()
	if len(invites) != 2 || invites[0].algorithm != "" || !invites[1].verified || invites[1].algorithm != AlgorithmSHA256 {
		t.Errorf("challenged INVITEs = %+v, want bare then verified SHA-256", invites)
	}

	stranger := newPhoneFor(t, uas, Config{User: "1001", Password: "guess"})
	_, err := stranger.Call(ctx, numberSecure)
	var status *StatusError
	if !errors.As(err, &status) || status.Code != 401 {
		t.Fatalf("Call with a wrong password = %v, want StatusError 401", err)
	}
	nobody := newPhoneFor(t, uas, Config{User: "1001"})
	if _, err := nobody.Call(ctx, numberSecure); !errors.As(err, &status) || status.Code != 401 {
		t.Fatalf("Call without a password = %v, want StatusError 401", err)
	}
}
