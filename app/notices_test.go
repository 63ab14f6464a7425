package app

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func openTestStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Notices survive a restart: a new board on the same data directory plays
// what the old one was told, recording included; time windows hold.
func TestNoticeBoardSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	st := openTestStore(t, dir)
	b := newNoticeBoard(st, dir, []string{"zh", "en"}, "zh", fixedClock{now}, slog.New(slog.DiscardHandler))
	ctl := noticeControl{b}
	later, until := now.Add(time.Hour), now.Add(2*time.Hour)
	text := "maintenance"
	if _, err := ctl.CreateNotice(context.Background(), web.NoticeInput{
		Areas: []string{"north"}, Text: &text, Audio: map[string][]byte{"en": toneWAV(t, 8000, time.Second)},
	}, "tester"); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.CreateNotice(context.Background(), web.NoticeInput{
		Areas: []string{"*"}, Text: &text, StartsAt: &later, EndsAt: &until,
		Audio: map[string][]byte{"zh": toneWAV(t, 8000, time.Second)},
	}, "tester"); err != nil {
		t.Fatal(err)
	}
	_ = st.Close(context.Background())

	st = openTestStore(t, dir)
	defer func() { _ = st.Close(context.Background()) }()
	for _, tc := range []struct {
		at    time.Time
		area  string
		count int
	}{
		{now, "north", 1}, {now, "south", 0}, {later, "south", 1}, {later, "north", 2}, {until, "south", 0},
	} {
		b := newNoticeBoard(st, dir, []string{"zh", "en"}, "zh", fixedClock{tc.at}, slog.New(slog.DiscardHandler))
		if err := b.load(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := b.forArea(tc.area)
		if len(got) != tc.count {
			t.Errorf("%s at %s: %d notices, want %d", tc.area, tc.at.Format(time.Kitchen), len(got), tc.count)
			continue
		}
		for _, n := range got {
			// Asked in Korean, which no notice has: the default
			// language, else any recording plays.
			ref := ivr.PromptRef{Lang: "ko", Name: n.Prompts[0].Name}
			if b.prompt(ref) == nil {
				t.Errorf("notice %s: no recording after restart", n.ID)
			}
		}
	}
	ctl = noticeControl{newNoticeBoard(st, dir, []string{"zh"}, "zh", fixedClock{now}, slog.New(slog.DiscardHandler))}
	if _, err := ctl.ExpireNotice(context.Background(), 99, "tester"); !errors.Is(err, web.ErrNotFound) {
		t.Errorf("expire unknown: %v", err)
	}
}

// A notice in a language the hotline does not serve, or cannot speak, is a
// bad request naming the language and the supported ones; it never blames
// the speech synthesiser.
func TestNoticeInUnsupportedLanguageSaysSo(t *testing.T) {
	dir := t.TempDir()
	st := openTestStore(t, dir)
	defer func() { _ = st.Close(context.Background()) }()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	b := newNoticeBoard(st, dir, []string{"zh", "en", "ja"}, "zh", fixedClock{now}, slog.New(slog.DiscardHandler))
	ctl := noticeControl{b}
	text := "maintenance"
	for lang, want := range map[string]string{
		"fr": `language "fr" is not supported: want one of zh, en, ja`,
		"ja": `language "ja": speech can be generated only in zh, en; upload a recording for ja`,
	} {
		_, err := ctl.CreateNotice(context.Background(), web.NoticeInput{Areas: []string{"*"}, Text: &text, Language: lang}, "tester")
		if !errors.Is(err, web.ErrInvalid) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "espeak") {
			t.Errorf("%s: %v, want ErrInvalid with %q", lang, err, want)
		}
	}
	list, err := ctl.ListNotices(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(list); strings.Contains(string(b), "maintenance") {
		t.Errorf("a refused notice was stored: %s", b)
	}
}
