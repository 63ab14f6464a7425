package selfservice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// noticePromptPrefix marks a prompt name that is an outage notice's own
// recording ("notice:<id>") rather than a file of the prompt set.
const noticePromptPrefix = "notice:"

// noticeBoard keeps the notices that are not expired in memory, with their
// recordings decoded, so a call asks no database and reads no file. It is
// loaded from the store at start and follows every write the store took
// (notices_control.go), without reading the store again.
type noticeBoard struct {
	store       *store.Store
	dir         string // data_dir/notices: <id>/<lang>.wav
	languages   []string
	defaultLang string
	clock       Clock
	log         *slog.Logger

	mu      sync.RWMutex
	notices []store.Notice
	audio   map[string]*playout.Prompt // "<id>/<lang>"
}

func newNoticeBoard(st *store.Store, dataDir string, languages []string, defaultLang string, clk Clock, log *slog.Logger) *noticeBoard {
	return &noticeBoard{
		store: st, dir: filepath.Join(dataDir, "notices"), languages: languages,
		defaultLang: defaultLang, clock: clk, log: log, audio: map[string]*playout.Prompt{},
	}
}

// loadRecordings adds n's recordings, one per language, to audio; one that
// cannot be read is logged and left out, so the notice still plays in the
// languages that can.
func (b *noticeBoard) loadRecordings(n store.Notice, audio map[string]*playout.Prompt) {
	for lang, file := range n.Prompts {
		p, err := b.loadAudio(n.ID, file)
		if err != nil {
			b.log.Warn("notice recording unreadable", "notice", n.ID, "lang", lang, "err", err)
			continue
		}
		audio[audioKey(n.ID, lang)] = p
	}
}

// load reads the notices that are not expired, and their recordings.
func (b *noticeBoard) load(ctx context.Context) error {
	list, err := b.store.Notices(ctx, false)
	if err != nil {
		return fmt.Errorf("notices: load: %w", err)
	}
	audio := map[string]*playout.Prompt{}
	for _, n := range list {
		b.loadRecordings(n, audio)
	}
	b.mu.Lock()
	b.notices, b.audio = list, audio
	b.mu.Unlock()
	// Recordings staged for a write the server did not live to finish.
	stale, _ := filepath.Glob(filepath.Join(b.dir, stagingPrefix+"*"))
	for _, dir := range stale {
		_ = os.RemoveAll(dir)
	}
	return nil
}

func (b *noticeBoard) loadAudio(id int64, file string) (*playout.Prompt, error) {
	f, err := os.Open(filepath.Join(b.noticeDir(id), filepath.Base(file)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return playout.LoadPromptWAV(noticePromptPrefix+strconv.FormatInt(id, 10), f)
}

func (b *noticeBoard) noticeDir(id int64) string {
	return filepath.Join(b.dir, strconv.FormatInt(id, 10))
}

func audioKey(id int64, lang string) string { return strconv.FormatInt(id, 10) + "/" + lang }

// forArea lists the notices active now for area, oldest first, as the IVR
// plays them.
func (b *noticeBoard) forArea(area string) []interp.AreaNotice {
	now := b.clock.Now()
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []interp.AreaNotice
	for i := len(b.notices) - 1; i >= 0; i-- { // the store lists newest first
		n := b.notices[i]
		if !n.ActiveAt(now) || !n.Covers(area) || len(n.Prompts) == 0 {
			continue
		}
		id := strconv.FormatInt(n.ID, 10)
		out = append(out, interp.AreaNotice{ID: id, Prompts: []ivr.PromptRef{{Name: noticePromptPrefix + id}}})
	}
	return out
}

// prompt finds a notice recording in lang, else in the default language,
// else in any language it has: a notice heard in another language beats
// one not heard.
func (b *noticeBoard) prompt(ref ivr.PromptRef) *playout.Prompt {
	idText, ok := strings.CutPrefix(ref.Name, noticePromptPrefix)
	if !ok {
		return nil
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, lang := range append([]string{ref.Lang, b.defaultLang}, b.languages...) {
		if p := b.audio[audioKey(id, lang)]; p != nil {
			return p
		}
	}
	return nil
}

// apply checks in and copies it onto n; create requires areas.
func (b *noticeBoard) apply(n *store.Notice, in web.NoticeInput, create bool) error {
	if in.Areas != nil || create {
		if len(in.Areas) == 0 {
			return fmt.Errorf("%w: areas: at least one area (or \"*\" for all)", web.ErrInvalid)
		}
		for _, a := range in.Areas {
			if a == "" || len(a) > 64 || strings.ContainsAny(a, ", \t\n") {
				return fmt.Errorf("%w: area %q: 1-64 characters without commas or spaces", web.ErrInvalid, a)
			}
		}
		n.Areas = slices.Clone(in.Areas)
	}
	if in.Text != nil {
		n.Text = strings.TrimSpace(*in.Text)
	}
	if len(n.Text) > 2000 {
		return fmt.Errorf("%w: text: at most 2000 bytes", web.ErrInvalid)
	}
	if in.StartsAt != nil {
		n.Starts = *in.StartsAt
	} else if create {
		n.Starts = n.Created
	}
	if in.EndsAt != nil {
		n.Ends = *in.EndsAt
	}
	if !n.Ends.IsZero() && !n.Ends.After(n.Starts) {
		return fmt.Errorf("%w: ends_at must be after starts_at", web.ErrInvalid)
	}
	return nil
}

// recordings returns the notice audio per language: uploads as given
// (normalised), or speech generated from text in every language when asked
// or when nothing was uploaded.
func (b *noticeBoard) recordings(ctx context.Context, in web.NoticeInput, text string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for lang, data := range in.Audio {
		if !slices.Contains(b.languages, lang) {
			return nil, fmt.Errorf("%w: audio: unknown language %q (configured: %s)", web.ErrInvalid, lang, strings.Join(b.languages, ", "))
		}
		wav, err := normaliseNoticeWAV(data)
		if err != nil {
			return nil, fmt.Errorf("%w: audio %s: %v", web.ErrInvalid, lang, err)
		}
		out[lang] = wav
	}
	if len(out) > 0 && !in.Generate {
		return out, nil
	}
	if text == "" {
		return nil, fmt.Errorf("%w: give text to generate speech from, or upload a recording", web.ErrInvalid)
	}
	lang := in.Language
	if lang == "" {
		lang = b.defaultLang
	}
	if err := b.checkSpeechLanguage(lang); err != nil {
		return nil, err
	}
	wav, err := synthesiseNotice(ctx, lang, text)
	switch {
	case errors.Is(err, errNoSynth):
		return nil, fmt.Errorf("%w: %v", web.ErrUnprocessable, err)
	case errors.Is(err, errBadAudio):
		return nil, fmt.Errorf("%w: generated speech: %v", web.ErrUnprocessable, err)
	case err != nil:
		return nil, err
	}
	out[lang] = wav
	return out, nil
}

// checkSpeechLanguage refuses, before any synthesiser is looked for, a
// language the hotline does not serve or cannot speak, naming the ones it
// can: the fault is in the request, not in the server's tools.
func (b *noticeBoard) checkSpeechLanguage(lang string) error {
	var speakable []string
	for _, l := range b.languages {
		if _, ok := synthVoices[l]; ok {
			speakable = append(speakable, l)
		}
	}
	switch {
	case !slices.Contains(b.languages, lang):
		return fmt.Errorf("%w: language %q is not supported: want one of %s", web.ErrInvalid, lang, strings.Join(b.languages, ", "))
	case !slices.Contains(speakable, lang):
		return fmt.Errorf("%w: language %q: speech can be generated only in %s; upload a recording for %s",
			web.ErrInvalid, lang, strings.Join(speakable, ", "), lang)
	}
	return nil
}
