package openapicheck

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

const tinyDoc = `
openapi: 3.0.3
info: {title: tiny, version: "1"}
paths:
  /items/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
    get:
      responses:
        "200":
          description: one item
          content:
            application/json:
              schema:
                type: object
                required: [name]
                properties:
                  name: {type: string}
  /gone:
    delete:
      responses:
        "204": {description: deleted}
`

func load(t *testing.T) *Validator {
	t.Helper()
	doc, err := Load(context.Background(), []byte(tinyDoc))
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidator(doc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLoadRefusesAnInvalidDocument(t *testing.T) {
	broken := strings.Replace(tinyDoc, "required: true, ", "", 1) // a path parameter must be required
	if _, err := Load(context.Background(), []byte(broken)); err == nil {
		t.Fatal("a path parameter that is not required was accepted")
	}
}

func TestCompareRoutesBothWays(t *testing.T) {
	doc, err := Load(context.Background(), []byte(tinyDoc))
	if err != nil {
		t.Fatal(err)
	}
	if p := CompareRoutes(doc, []string{"GET /items/{item}", "/gone"}); len(p) != 0 {
		t.Fatalf("parameter names and any-method patterns should match: %q", p)
	}
	got := CompareRoutes(doc, []string{"GET /items/{id}", "POST /items/{id}", "GET /gone"})
	want := []string{
		"described but not served: DELETE /gone",
		"served but not described: GET /gone",
		"served but not described: POST /items/{id}",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	got = CompareRoutes(doc, []string{"GET /items/{id", "GET /items/{id}", "/gone"})
	if len(got) != 1 || !strings.Contains(got[0], `pattern "GET /items/{id" refused`) {
		t.Fatalf("a malformed pattern: %q", got)
	}
}

func TestExchangeChecksRequestAndAnswer(t *testing.T) {
	v := load(t)
	answer := func(code int, body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			w.Write([]byte(body))
		})
	}
	ctx := context.Background()
	get := func(path string) *http.Request { return httptest.NewRequest("GET", path, nil) }
	if _, err := v.Exchange(ctx, answer(200, `{"name":"a"}`), get("/items/7")); err != nil {
		t.Fatalf("a good exchange: %v", err)
	}
	for name, c := range map[string]struct {
		h   http.Handler
		req *http.Request
	}{
		"answer off schema":  {answer(200, `{"title":"a"}`), get("/items/7")},
		"status not listed":  {answer(500, `{"name":"a"}`), get("/items/7")},
		"parameter off type": {answer(200, `{"name":"a"}`), get("/items/seven")},
		"no such operation":  {answer(200, `{}`), get("/nothing")},
	} {
		if _, err := v.Exchange(ctx, c.h, c.req); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Answer skips the request's own check, not the answer's.
	if _, err := v.Answer(ctx, answer(200, `{"name":"a"}`), get("/items/seven")); err != nil {
		t.Errorf("Answer checked the request: %v", err)
	}
	if _, err := v.Answer(ctx, answer(200, `{}`), get("/items/seven")); err == nil {
		t.Error("Answer let an answer off schema through")
	}
}
