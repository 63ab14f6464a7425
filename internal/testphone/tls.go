package testphone

import (
	"errors"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// listenTLS sets the phone up for SIP over TLS. Like a phone behind NAT,
// it opens no listener: everything, including the server's requests to
// us, travels on the one TLS connection we open to the server, which
// sipgo reuses for every request. Our Contact says transport=tls so that
// the server knows to reach us that way.
func (p *Phone) listenTLS() error {
	if p.cfg.TLS == nil {
		return errors.New("testphone: config: transport tls needs a TLS client config")
	}
	close(p.serveDone) // no serve goroutine to wait for
	p.contact = sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: p.cfg.User, Host: p.cfg.LocalIP,
		UriParams: sip.HeaderParams{{K: "transport", V: "tls"}}}}
	client, err := sipgo.NewClient(p.ua, sipgo.WithClientHostname(p.cfg.LocalIP), sipgo.WithClientLogger(p.log))
	if err != nil {
		return err
	}
	p.client = client
	p.dialogs = sipgo.NewDialogClientCache(p.client, p.contact)
	p.answered = sipgo.NewDialogServerCache(p.client, p.contact)
	return nil
}
