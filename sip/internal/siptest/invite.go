package siptest

import sipmsg "github.com/emiago/sipgo/sip"

// TrunkInvite is an anonymous INVITE for ruri arriving from source, with
// headers given as name, value pairs.
func TrunkInvite(source, ruri string, headers ...string) *sipmsg.Request {
	req := sipmsg.NewRequest(sipmsg.INVITE, sipmsg.Uri{User: ruri, Host: "127.0.0.1"})
	req.AppendHeader(&sipmsg.FromHeader{Address: sipmsg.Uri{User: "anonymous", Host: "anonymous.invalid"}, Params: sipmsg.NewParams()})
	for i := 0; i+1 < len(headers); i += 2 {
		req.AppendHeader(sipmsg.NewHeader(headers[i], headers[i+1]))
	}
	req.SetSource(source)
	return req
}
