package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Errors a NoticeControl (or FaultControl) returns for the API to map to a
// status: ErrInvalid → 400, ErrUnprocessable → 422, ErrNotFound → 404,
// ErrUnavailable → 503 (the database cannot be reached; nothing changed).
var (
	ErrInvalid       = errors.New("invalid request")
	ErrUnprocessable = errors.New("cannot process")
)

// NoticeInput is a notice as the API receives it. On update, fields left
// out keep their value. Audio maps a language to a WAV recording (base64
// in JSON; a file part "audio_<lang>" in multipart/form-data); without
// audio, or with Generate, speech is generated from Text in Language.
type NoticeInput struct {
	Areas    []string          `json:"areas"`
	Text     *string           `json:"text"`
	StartsAt *time.Time        `json:"starts_at"`
	EndsAt   *time.Time        `json:"ends_at"`
	Language string            `json:"language"`
	Generate bool              `json:"generate"`
	Audio    map[string][]byte `json:"audio"`
}

// NoticeControl manages outage notices; results are encoded as JSON.
type NoticeControl interface {
	ListNotices(ctx context.Context, activeOnly bool) (any, error)
	CreateNotice(ctx context.Context, in NoticeInput, by string) (any, error)
	UpdateNotice(ctx context.Context, id int64, in NoticeInput, by string) (any, error)
	ExpireNotice(ctx context.Context, id int64, by string) (any, error)
	DeleteNotice(ctx context.Context, id int64, by string) error
}

// maxNoticeBody bounds an upload: a few minutes of audio in each language.
const maxNoticeBody = 32 << 20

type noticeAPI struct {
	api
	ctl NoticeControl
}

// WithNotices adds the outage-notice API (supervisor role).
func (s *Server) WithNotices(ctl NoticeControl, tokens []Token) {
	a := &noticeAPI{api: api{tokens: tokens}, ctl: ctl}
	s.mux.HandleFunc("GET /api/v1/notices", a.auth(RoleSupervisor, a.list))
	s.mux.HandleFunc("POST /api/v1/notices", a.auth(RoleSupervisor, a.create))
	s.mux.HandleFunc("PUT /api/v1/notices/{id}", a.auth(RoleSupervisor, a.update))
	s.mux.HandleFunc("POST /api/v1/notices/{id}/expire", a.auth(RoleSupervisor, a.expire))
	s.mux.HandleFunc("DELETE /api/v1/notices/{id}", a.auth(RoleSupervisor, a.remove))
}

// Mount serves h under pattern (e.g. the built-in demo services).
func (s *Server) Mount(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

func (a *noticeAPI) list(w http.ResponseWriter, r *http.Request, _ Token) {
	active := false
	if v := r.URL.Query().Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "active: want true or false")
			return
		}
		active = b
	}
	out, err := a.ctl.ListNotices(r.Context(), active)
	writeResult(w, http.StatusOK, out, err)
}

func (a *noticeAPI) create(w http.ResponseWriter, r *http.Request, t Token) {
	in, err := readNoticeInput(w, r)
	if err != nil {
		writeResult(w, 0, nil, err)
		return
	}
	out, err := a.ctl.CreateNotice(r.Context(), in, t.Name)
	writeResult(w, http.StatusCreated, out, err)
}

func (a *noticeAPI) update(w http.ResponseWriter, r *http.Request, t Token) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	in, err := readNoticeInput(w, r)
	if err != nil {
		writeResult(w, 0, nil, err)
		return
	}
	out, err := a.ctl.UpdateNotice(r.Context(), id, in, t.Name)
	writeResult(w, http.StatusOK, out, err)
}

func (a *noticeAPI) expire(w http.ResponseWriter, r *http.Request, t Token) {
	if id, ok := pathID(w, r); ok {
		out, err := a.ctl.ExpireNotice(r.Context(), id, t.Name)
		writeResult(w, http.StatusOK, out, err)
	}
}

func (a *noticeAPI) remove(w http.ResponseWriter, r *http.Request, t Token) {
	if id, ok := pathID(w, r); ok {
		if err := a.ctl.DeleteNotice(r.Context(), id, t.Name); err != nil {
			writeResult(w, 0, nil, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, "id: want a positive integer")
		return 0, false
	}
	return id, true
}

// writeResult writes out with code, or the status err maps to.
func writeResult(w http.ResponseWriter, code int, out any, err error) {
	switch {
	case errors.Is(err, ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrUnprocessable):
		writeError(w, http.StatusUnprocessableEntity, err.Error())
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrUnavailable):
		writeError(w, http.StatusServiceUnavailable, err.Error())
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
	default:
		writeJSON(w, code, out)
	}
}

func readNoticeInput(w http.ResponseWriter, r *http.Request) (NoticeInput, error) {
	var in NoticeInput
	r.Body = http.MaxBytesReader(w, r.Body, maxNoticeBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		return readNoticeForm(r)
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, fmt.Errorf("%w: body: %v", ErrInvalid, err)
	}
	return in, nil
}

// readNoticeForm reads fields areas (comma-separated), text, starts_at,
// ends_at (RFC 3339), language, generate and files audio_<lang>.
func readNoticeForm(r *http.Request) (NoticeInput, error) {
	var in NoticeInput
	if err := r.ParseMultipartForm(maxNoticeBody); err != nil {
		return in, fmt.Errorf("%w: form: %v", ErrInvalid, err)
	}
	f := r.MultipartForm
	get := func(k string) (string, bool) {
		v, ok := f.Value[k]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
	if v, ok := get("areas"); ok {
		in.Areas = strings.Split(v, ",")
	}
	if v, ok := get("text"); ok {
		in.Text = &v
	}
	for key, dst := range map[string]**time.Time{"starts_at": &in.StartsAt, "ends_at": &in.EndsAt} {
		if v, ok := get(key); ok {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return in, fmt.Errorf("%w: %s: want RFC 3339", ErrInvalid, key)
			}
			*dst = &t
		}
	}
	in.Language, _ = get("language")
	if v, ok := get("generate"); ok {
		in.Generate = v == "true" || v == "1"
	}
	for key, files := range f.File {
		lang, ok := strings.CutPrefix(key, "audio_")
		if !ok || len(files) == 0 {
			continue
		}
		file, err := files[0].Open()
		if err != nil {
			return in, fmt.Errorf("%w: %s: %v", ErrInvalid, key, err)
		}
		data, err := io.ReadAll(file)
		file.Close()
		if err != nil {
			return in, fmt.Errorf("%w: %s: %v", ErrInvalid, key, err)
		}
		if in.Audio == nil {
			in.Audio = map[string][]byte{}
		}
		in.Audio[lang] = data
	}
	return in, nil
}
