// Package openapicheck holds a server's OpenAPI description to account in
// tests: the document must be valid OpenAPI 3, every route the server
// registers must be described and every described operation served, and
// real requests and answers must fit the schemas. It must be imported by
// tests only, so the server binary does not carry the validator, and it
// must not import the server's packages: it checks any http.Handler
// against any OpenAPI document.
package openapicheck

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Load parses an OpenAPI 3 document (JSON or YAML) and validates it.
func Load(ctx context.Context, data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("openapi: load: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("openapi: invalid: %w", err)
	}
	return doc, nil
}

// pathValue stands for every path parameter when an operation is routed:
// the mux routes by shape, not by value.
const pathValue = "p1"

// CompareRoutes checks the document against the patterns a server
// registered (as http.ServeMux patterns, "GET /a/{id}" or "/a" for any
// method). Each described operation is routed through a ServeMux holding
// exactly those patterns, the way the server routes a request: one that
// reaches no pattern is described but not served. A pattern that no
// described operation reaches is served but not described. Parameter
// names may differ between the two. It returns one line per problem,
// sorted; none when they agree.
func CompareRoutes(doc *openapi3.T, patterns []string) []string {
	mux := http.NewServeMux()
	noop := func(http.ResponseWriter, *http.Request) {}
	var problems []string
	reached := map[string]bool{}
	for _, p := range patterns {
		if err := register(mux, p, noop); err != nil {
			problems = append(problems, err.Error())
			reached[p] = true // reported once, as refused
		}
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method := range doc.Paths.Value(path).Operations() {
			req := httptest.NewRequest(method, fillPath(path), nil)
			if _, pattern := mux.Handler(req); pattern != "" {
				reached[pattern] = true
				continue
			}
			problems = append(problems, fmt.Sprintf("described but not served: %s %s", method, path))
		}
	}
	for _, p := range patterns {
		if !reached[p] {
			problems = append(problems, "served but not described: "+p)
		}
	}
	slices.Sort(problems)
	return slices.Compact(problems)
}

// register adds one pattern, turning ServeMux's panic on a malformed or
// conflicting pattern into an error.
func register(mux *http.ServeMux, pattern string, h http.HandlerFunc) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pattern %q refused: %v", pattern, r)
		}
	}()
	mux.HandleFunc(pattern, h)
	return nil
}

// fillPath puts pathValue in place of every {parameter} of an OpenAPI path.
func fillPath(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = pathValue
		}
	}
	return strings.Join(segs, "/")
}

// Validator checks requests and answers against a document.
type Validator struct {
	router routers.Router
}

// registerDecoders teaches the validator the media types the document
// uses besides JSON, CSV, plain text and forms: pages, event streams and
// audio are checked as text or bytes.
var registerDecoders = sync.OnceFunc(func() {
	for _, ct := range []string{"text/html", "text/event-stream", "application/openmetrics-text"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
	openapi3filter.RegisterBodyDecoder("audio/wav", openapi3filter.FileBodyDecoder)
})

// NewValidator prepares doc (already loaded and valid) for Exchange.
func NewValidator(doc *openapi3.T) (*Validator, error) {
	registerDecoders()
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: router: %w", err)
	}
	return &Validator{router: r}, nil
}

// Exchange serves req with h and checks both the request and the answer
// against the document: the operation exists, parameters, body and
// credentials are as described, and the answer's status is listed with a
// body that fits its schema. It returns the recorded answer.
func (v *Validator) Exchange(ctx context.Context, h http.Handler, req *http.Request) (*httptest.ResponseRecorder, error) {
	return v.exchange(ctx, h, req, true)
}

// Answer is Exchange for a request that breaks the contract on purpose (no
// token, a malformed body): only the answer is checked, which must still be
// one the document lists, with its schema.
func (v *Validator) Answer(ctx context.Context, h http.Handler, req *http.Request) (*httptest.ResponseRecorder, error) {
	return v.exchange(ctx, h, req, false)
}

func (v *Validator) exchange(ctx context.Context, h http.Handler, req *http.Request, checkRequest bool) (*httptest.ResponseRecorder, error) {
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, fmt.Errorf("openapi: read request body: %w", err)
		}
		reqBody = b
	}
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return nil, fmt.Errorf("openapi: %s %s: no operation: %w", req.Method, req.URL.Path, err)
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc:    credentialsPresent,
		SkipSettingDefaults:   true, // the server must see the request as sent
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if checkRequest {
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			return nil, fmt.Errorf("openapi: request %s %s: %w", req.Method, req.URL, err)
		}
	}
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	req.ContentLength = int64(len(reqBody))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options:                opts,
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return rec, fmt.Errorf("openapi: answer %d to %s %s (%s): %w", rec.Code, req.Method, req.URL, rec.Body.String(), err)
	}
	return rec, nil
}

// credentialsPresent accepts a request that carries the credential a
// security scheme names; whether it is a good one is the server's answer
// to check, not the document's.
func credentialsPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	req := in.RequestValidationInput.Request
	s := in.SecurityScheme
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		if !strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
			return fmt.Errorf("no bearer token for %s", in.SecuritySchemeName)
		}
	case s.Type == "apiKey" && s.In == "cookie":
		if _, err := req.Cookie(s.Name); err != nil {
			return fmt.Errorf("no cookie %s for %s", s.Name, in.SecuritySchemeName)
		}
	case s.Type == "apiKey" && s.In == "header":
		if req.Header.Get(s.Name) == "" {
			return fmt.Errorf("no header %s for %s", s.Name, in.SecuritySchemeName)
		}
	default:
		return fmt.Errorf("security scheme %s (%s) not checked", in.SecuritySchemeName, s.Type)
	}
	return nil
}
