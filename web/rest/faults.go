package rest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/web/webkit"
)

// FaultControl lists fault reports (work orders) and opens their voice
// messages.
type FaultControl interface {
	ListFaults(ctx context.Context, from, to time.Time) (any, error)
	FaultRecording(ctx context.Context, file string) (io.ReadSeekCloser, error)
}

type faultAPI struct {
	webkit.Guard
	ctl FaultControl
	now func() time.Time
}

// FaultRoutes adds the fault-report API (supervisor role): GET
// /api/v1/faults?from=&to= lists work orders (RFC 3339 or YYYY-MM-DD in UTC;
// default the last 7 days), GET /api/v1/faults/{file} downloads a message.
func FaultRoutes(mux webkit.Registrar, now func() time.Time, ctl FaultControl, tokens []webkit.Token) {
	a := &faultAPI{Guard: webkit.Guard{Tokens: tokens}, ctl: ctl, now: now}
	mux.HandleFunc("GET /api/v1/faults", a.Auth(webkit.RoleSupervisor, a.list))
	mux.HandleFunc("GET /api/v1/faults/{file}", a.Auth(webkit.RoleSupervisor, a.download))
}

func (a *faultAPI) list(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	now := a.now().UTC()
	from, to, err := readWindow(r, now.Add(-7*24*time.Hour), now.Add(time.Minute))
	if err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.ctl.ListFaults(r.Context(), from, to)
	webkit.WriteResult(w, http.StatusOK, out, err)
}

func (a *faultAPI) download(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	file := r.PathValue("file")
	if !strings.HasSuffix(file, ".wav") || strings.ContainsAny(file, `/\`) || strings.HasPrefix(file, ".") {
		webkit.WriteError(w, http.StatusBadRequest, "file: want a recording name ending in .wav")
		return
	}
	f, err := a.ctl.FaultRecording(r.Context(), file)
	if err != nil {
		webkit.WriteResult(w, 0, nil, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	http.ServeContent(w, r, file, time.Time{}, f)
}
