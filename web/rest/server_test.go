package rest

import "net/http"

// testServer is a resource's routes on a bare mux, as the server mounts
// them.
type testServer struct{ mux *http.ServeMux }

func newTestServer() *testServer { return &testServer{mux: http.NewServeMux()} }
