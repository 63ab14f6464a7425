package rest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/web/reports"
	"github.com/hotline-oss/hotline/web/webkit"
)

// RecordingQuery selects recordings by start time, queue and agent.
type RecordingQuery struct {
	From, To time.Time
	Queue    string
	Agent    string
}

// RecordingAudio is an open recording ready to stream.
type RecordingAudio struct {
	Content io.ReadSeekCloser
	ModTime time.Time
	Name    string // file name offered to the browser, e.g. <call id>.wav
}

// Recordings is what the recordings API asks of the server. OpenRecording
// finds the audio by call id (webkit.ErrNotFound when there is none); a client
// never names a path.
type Recordings interface {
	ListRecordings(ctx context.Context, q RecordingQuery) (any, error)
	OpenRecording(ctx context.Context, callID string) (RecordingAudio, error)
}

// RecordingRoutes adds the quality-review API (supervisor role):
//
//	GET /api/v1/recordings?from=&to=&queue=&agent=&tz=   list (JSON)
//	GET /api/v1/recordings/{call_id}/audio               the WAV
func RecordingRoutes(mux webkit.Registrar, now func() time.Time, r Recordings, tokens []webkit.Token, defaultLoc *time.Location) {
	a := &webkit.Guard{Tokens: tokens}
	mux.HandleFunc("GET /api/v1/recordings", a.Auth(webkit.RoleSupervisor, func(w http.ResponseWriter, req *http.Request, _ webkit.Token) {
		rq, err := reports.ParseQuery(req, defaultLoc, now())
		if err != nil {
			webkit.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		v := req.URL.Query()
		list, err := r.ListRecordings(req.Context(), RecordingQuery{
			From: rq.From, To: rq.To, Queue: strings.TrimSpace(v.Get("queue")), Agent: strings.TrimSpace(v.Get("agent")),
		})
		if err != nil {
			writeRecordingError(w, err)
			return
		}
		webkit.WriteJSON(w, http.StatusOK, list)
	}))
	mux.HandleFunc("GET /api/v1/recordings/{call_id}/audio", a.Auth(webkit.RoleSupervisor, AudioHandler(r)))
}

// AudioHandler serves a call's WAV with Range support (seeking in the
// browser's player), for the API and the console.
func AudioHandler(r Recordings) func(http.ResponseWriter, *http.Request, webkit.Token) {
	return func(w http.ResponseWriter, req *http.Request, _ webkit.Token) {
		id := req.PathValue("call_id")
		if id == "" || len(id) > 255 {
			webkit.WriteError(w, http.StatusBadRequest, "call id: want 1 to 255 characters")
			return
		}
		audio, err := r.OpenRecording(req.Context(), id)
		if err != nil {
			writeRecordingError(w, err)
			return
		}
		defer audio.Content.Close()
		w.Header().Set("Content-Type", "audio/wav")
		w.Header().Set("Content-Disposition", `attachment; filename="`+audio.Name+`"`)
		w.Header().Set("Cache-Control", "private, no-store")
		http.ServeContent(w, req, audio.Name, audio.ModTime, audio.Content)
	}
}

func writeRecordingError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, webkit.ErrNotFound):
		webkit.WriteError(w, http.StatusNotFound, "no recording for this call")
	case errors.Is(err, webkit.ErrUnavailable):
		webkit.WriteError(w, http.StatusServiceUnavailable, "records unavailable: "+err.Error())
	default:
		webkit.WriteError(w, http.StatusInternalServerError, "reading the recordings failed")
	}
}
