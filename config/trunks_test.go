package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const trunksYAML = `
trunks:
  - name: carrier-a
    addresses: ["192.0.2.10", "192.0.2.11:5080"]
    trusted: true
    country_code: "86"
    inbound_calling: {format: national}
    outbound: {format: e164, strip: "9"}
    auth: {username: hotline, password_env: HOTLINE_CONFIG_TEST_TRUNK}
    register: {expires: 10m}
  - name: carrier-b
    host: sbc.carrier.example
`

func TestTrunksParse(t *testing.T) {
	t.Setenv("HOTLINE_CONFIG_TEST_TRUNK", "s3cret")
	yml := strings.Replace(string(Demo()), "callback_gateway:\n  uri: \"sip:{number}@127.0.0.1:5070\"\n  transport: udp\n",
		"callback_gateway:\n  trunks: [carrier-a, carrier-b]\n", 1) + trunksYAML
	c, err := Parse("hotline.yaml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Trunks) != 2 || c.CallbackGateway.URI != "" || len(c.CallbackGateway.Trunks) != 2 {
		t.Fatalf("trunks %+v gateway %+v", c.Trunks, c.CallbackGateway)
	}
	a := c.Trunks[0].WithDefaults()
	if a.Transport != "udp" || a.NationalPrefix != "0" || a.InternationalPrefix != "00" || a.OptionsInterval != 30*time.Second ||
		a.DownAfter != 3 || a.InboundCalled.Format != "keep" || a.Register.Expires != 10*time.Minute {
		t.Fatalf("defaults %+v", a)
	}
	if a.Auth.Secret() != "s3cret" {
		t.Fatal("password_env not read")
	}
	b := c.Trunks[1].WithDefaults()
	if b.Port != 5060 || b.ResolveEvery != 5*time.Minute {
		t.Fatalf("host defaults %+v", b)
	}
}

// TestTrunksValidation: every mistake is reported with the line of the
// key at fault.
func TestTrunksValidation(t *testing.T) {
	t.Setenv("HOTLINE_CONFIG_TEST_EMPTY", "")
	bad := `
trunks:
  - name: Carrier A
    addresses: ["not-an-ip"]
    host: sbc.example
    transport: tls
    inbound_called: {format: e164}
    outbound: {format: local, add: "x"}
    auth: {username: hotline, password_env: HOTLINE_CONFIG_TEST_EMPTY}
    register: {aor: "hotline@x", expires: 10s}
    options_interval: 10ms
    down_after: 0
  - name: b
    register: {}
  - name: b
    addresses: ["192.0.2.1"]
    port: 5070
`
	yml := strings.Replace(string(Demo()), "callback_gateway:\n  uri: \"sip:{number}@127.0.0.1:5070\"\n",
		"callback_gateway:\n  trunks: [nope]\n  uri: \"sip:{number}@127.0.0.1:5070\"\n", 1) + bad
	_, err := Parse("hotline.yaml", []byte(yml))
	if err == nil {
		t.Fatal("a bad trunks section was accepted")
	}
	all := err.Error()
	for _, want := range []string{
		`trunks[0].name "Carrier A"`,
		"trunks[0].host: give addresses or host, not both",
		`trunks[0].addresses[0]: "not-an-ip"`,
		`trunks[0].transport "tls"`,
		"trunks[0].inbound_called.format e164 needs country_code",
		`trunks[0].outbound.format "local"`,
		"trunks[0].outbound: strip and add",
		"trunks[0].auth.password_env HOTLINE_CONFIG_TEST_EMPTY: the variable is not set or empty",
		`trunks[0].register.aor "hotline@x"`,
		"trunks[0].register.expires 10s",
		"trunks[0].options_interval 10ms",
		"trunks[1].addresses: give the trunk's addresses",
		"trunks[1].register: needs auth",
		`trunks[2].name "b": used twice`,
		"trunks[2].port: port and resolve_every go with host",
		"callback_gateway: uri: give uri or trunks, not both",
		`callback_gateway.trunks[0] "nope": no such trunk`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no error %q in:\n%s", want, all)
		}
	}
	var pe *PosError
	if !errors.As(err, &pe) || pe.Line == 0 {
		t.Fatalf("errors carry no line: %v", err)
	}
	lines := strings.Split(yml, "\n")
	for _, e := range unwrapAll(err) {
		var p *PosError
		if errors.As(e, &p) && strings.HasPrefix(p.Msg, "trunks[0].transport") && !strings.Contains(lines[p.Line-1], "transport: tls") {
			t.Errorf("trunks[0].transport reported at line %d: %q", p.Line, lines[p.Line-1])
		}
	}
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unwrapAll(e)...)
		}
		return out
	}
	return []error{err}
}
