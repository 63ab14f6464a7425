package app

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/openapicheck"
	"github.com/hotline-oss/hotline/web"
)

// TestServedRoutesAreTheDescribedOnes starts the real server with every
// HTTP section on (API tokens, agents and queues, the record store, the
// built-in demo account service) and checks that the routes it registers
// are exactly those web/openapi.yaml describes, then sends real requests
// through it and checks them and the answers against the description.
func TestServedRoutesAreTheDescribedOnes(t *testing.T) {
	h := start(t, acdTestConfig, func(cfg *config.Config) {
		cfg.Services = config.Services{"accounts": {URL: config.BuiltinDemoURL}}
	})
	base := "http://" + h.srv.HTTPAddr()
	res, err := http.Get(base + web.OpenAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", web.OpenAPIPath, res.StatusCode, err)
	}
	ctx := context.Background()
	doc, err := openapicheck.Load(ctx, body)
	if err != nil {
		t.Fatal(err)
	}
	if problems := openapicheck.CompareRoutes(doc, h.srv.web.Routes()); len(problems) > 0 {
		t.Fatalf("the server's routes and web/openapi.yaml disagree:\n%s", strings.Join(problems, "\n"))
	}

	v, err := openapicheck.NewValidator(doc)
	if err != nil {
		t.Fatal(err)
	}
	h.registerAgent("1001", "pw1001") // an agent logs in only with a registered phone
	target, _ := url.Parse(base)
	server := httputil.NewSingleHostReverseProxy(target) // the real listener, over loopback
	tokens := map[string]string{"agent": "agent-1001-token-0123", "supervisor": "supervisor-token-0123", "admin": "admin-token-0123456"}
	cases := []struct {
		method, path, role, body string
		want                     []int
	}{
		{"GET", "/api/v1/agents", "supervisor", "", []int{200}},
		{"POST", "/api/v1/agents/1001/login", "agent", "", []int{200}},
		{"POST", "/api/v1/agents/1002/login", "supervisor", "", []int{409}}, // no registered phone
		{"POST", "/api/v1/agents/1001/pause", "agent", `{"reason":"training"}`, []int{200}},
		{"GET", "/api/v1/agents/1001", "agent", "", []int{200}},
		{"POST", "/api/v1/agents/1001/disposition", "agent", `{"category":"repair","resolved":true}`, []int{409}},
		{"GET", "/api/v1/queues", "supervisor", "", []int{200}},
		{"GET", "/api/v1/reports/interval?interval=30m", "admin", "", []int{200}},
		{"GET", "/api/v1/reports/agents", "admin", "", []int{200}},
		{"GET", "/api/v1/reports/repeat-callers", "admin", "", []int{200}},
		{"GET", "/api/v1/notices", "supervisor", "", []int{200}},
		// Speech is generated when espeak-ng is installed, else 422.
		{"POST", "/api/v1/notices", "supervisor", `{"areas":["north"],"text":"Repairs on Saturday."}`, []int{201, 422}},
		{"GET", "/api/v1/faults", "supervisor", "", []int{200}},
		{"GET", "/api/v1/recordings", "supervisor", "", []int{200}},
		{"POST", "/api/v1/monitor", "supervisor", `{"supervisor":"2001","agent":"1001"}`, []int{404}},
		{"POST", "/api/v1/reload", "admin", "", []int{200}},
		{"GET", "/api/v1/audit", "admin", "", []int{200}},
		{"POST", "/demo/accounts", "", `{"account":"1234567890"}`, []int{200}},
		{"POST", "/demo/accounts", "", `{"account":"0000"}`, []int{200}},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.role != "" {
			req.Header.Set("Authorization", "Bearer "+tokens[c.role])
		}
		rec, err := v.Exchange(ctx, server, req)
		if err != nil {
			t.Errorf("%s %s: %v", c.method, c.path, err)
			continue
		}
		if !containsInt(c.want, rec.Code) {
			t.Errorf("%s %s: %d %s, want %v", c.method, c.path, rec.Code, rec.Body, c.want)
		}
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
