package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/web/webkit"
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
// Errors map to statuses as webkit.WriteResult says.
type NoticeControl interface {
	ListNotices(ctx context.Context, activeOnly bool) (any, error)
	CreateNotice(ctx context.Context, in NoticeInput, by string) (any, error)
	UpdateNotice(ctx context.Context, id int64, in NoticeInput, by string) (any, error)
	ExpireNotice(ctx context.Context, id int64, by string) (any, error)
	DeleteNotice(ctx context.Context, id int64, by string) error
}

// maxNoticeBody bounds an upload: a few minutes of audio in each language.
const maxNoticeBody = 32 << 20

// Notices serves the outage-notice API.
type Notices struct {
	webkit.Guard
	ctl NoticeControl
}

// NewNotices serves ctl to the holders of tokens.
func NewNotices(ctl NoticeControl, tokens []webkit.Token) *Notices {
	return &Notices{Guard: webkit.Guard{Tokens: tokens}, ctl: ctl}
}

// Routes adds the outage-notice API (supervisor role).
func (a *Notices) Routes(mux webkit.Registrar) {
	mux.HandleFunc("GET /api/v1/notices", a.Auth(webkit.RoleSupervisor, a.List))
	mux.HandleFunc("POST /api/v1/notices", a.Auth(webkit.RoleSupervisor, a.Create))
	mux.HandleFunc("PUT /api/v1/notices/{id}", a.Auth(webkit.RoleSupervisor, a.Update))
	mux.HandleFunc("POST /api/v1/notices/{id}/expire", a.Auth(webkit.RoleSupervisor, a.Expire))
	mux.HandleFunc("DELETE /api/v1/notices/{id}", a.Auth(webkit.RoleSupervisor, a.Remove))
}

// List lists the notices; ?active=true only those in force now.
func (a *Notices) List(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	active := false
	if v := r.URL.Query().Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			webkit.WriteError(w, http.StatusBadRequest, "active: want true or false")
			return
		}
		active = b
	}
	out, err := a.ctl.ListNotices(r.Context(), active)
	webkit.WriteResult(w, http.StatusOK, out, err)
}

// Create adds a notice from JSON or a multipart form.
func (a *Notices) Create(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	in, err := readNoticeInput(w, r)
	if err != nil {
		webkit.WriteResult(w, 0, nil, err)
		return
	}
	out, err := a.ctl.CreateNotice(r.Context(), in, t.Name)
	webkit.WriteResult(w, http.StatusCreated, out, err)
}

// Update changes notice {id}; fields left out keep their value.
func (a *Notices) Update(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	id, ok := webkit.PathID(w, r)
	if !ok {
		return
	}
	in, err := readNoticeInput(w, r)
	if err != nil {
		webkit.WriteResult(w, 0, nil, err)
		return
	}
	out, err := a.ctl.UpdateNotice(r.Context(), id, in, t.Name)
	webkit.WriteResult(w, http.StatusOK, out, err)
}

// Expire ends notice {id} now.
func (a *Notices) Expire(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	if id, ok := webkit.PathID(w, r); ok {
		out, err := a.ctl.ExpireNotice(r.Context(), id, t.Name)
		webkit.WriteResult(w, http.StatusOK, out, err)
	}
}

// Remove deletes notice {id}.
func (a *Notices) Remove(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	if id, ok := webkit.PathID(w, r); ok {
		if err := a.ctl.DeleteNotice(r.Context(), id, t.Name); err != nil {
			webkit.WriteResult(w, 0, nil, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
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
		return in, fmt.Errorf("%w: body: %v", webkit.ErrInvalid, err)
	}
	return in, nil
}

// readNoticeForm reads fields areas (comma-separated), text, starts_at,
// ends_at (RFC 3339), language, generate and files audio_<lang>.
func readNoticeForm(r *http.Request) (NoticeInput, error) {
	var in NoticeInput
	if err := r.ParseMultipartForm(maxNoticeBody); err != nil {
		return in, fmt.Errorf("%w: form: %v", webkit.ErrInvalid, err)
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
				return in, fmt.Errorf("%w: %s: want RFC 3339", webkit.ErrInvalid, key)
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
			return in, fmt.Errorf("%w: %s: %v", webkit.ErrInvalid, key, err)
		}
		data, err := io.ReadAll(file)
		file.Close()
		if err != nil {
			return in, fmt.Errorf("%w: %s: %v", webkit.ErrInvalid, key, err)
		}
		if in.Audio == nil {
			in.Audio = map[string][]byte{}
		}
		in.Audio[lang] = data
	}
	return in, nil
}
