package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseTextsRejectsBadEntries(t *testing.T) {
	cases := map[string]struct {
		yaml string
		want error
	}{
		"upper-case name":  {"Greeting:\n  en: \"Hello\"\n", errBadName},
		"unknown language": {"greeting:\n  fr: \"Bonjour\"\n", errUnknownLang},
		"blank text":       {"greeting:\n  en: \"  \"\n", errEmptyText},
		"no language":      {"greeting: {}\n", errNoLanguages},
	}
	for name, tc := range cases {
		if _, err := parseTexts([]byte(tc.yaml)); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
	if _, err := parseTexts([]byte("a:\n  en: x\na:\n  en: y\n")); err == nil {
		t.Error("duplicate prompt name accepted")
	}
}

func TestPromptsAreSortedByLanguageThenName(t *testing.T) {
	catalogue, err := parseTexts([]byte(`
greeting: {zh: "您好", en: " Hello "}
lang_ko: {ko: "한국어"}
goodbye: {en: "Goodbye"}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, item := range catalogue.prompts() {
		got = append(got, item.lang+"/"+item.name+"="+item.text)
	}
	want := []string{"en/goodbye=Goodbye", "en/greeting=Hello", "ko/lang_ko=한국어", "zh/greeting=您好"}
	if !slices.Equal(got, want) {
		t.Fatalf("prompts() = %v, want %v", got, want)
	}
}

func TestSelectPrompts(t *testing.T) {
	catalogue := texts{
		"greeting": {"en": "Hello", "zh": "您好"},
		"goodbye":  {"en": "Goodbye"},
	}
	picked, err := selectPrompts(catalogue, " greeting ")
	if err != nil {
		t.Fatal(err)
	}
	if len(picked) != 2 || picked[0].name != "greeting" || picked[1].name != "greeting" {
		t.Fatalf("picked %+v, want greeting in both languages", picked)
	}
	all, err := selectPrompts(catalogue, "")
	if err != nil || len(all) != 3 {
		t.Fatalf("empty -only picked %d prompts (err %v), want all 3", len(all), err)
	}
	if _, err := selectPrompts(catalogue, "greeting,greetin"); !errors.Is(err, errUnknownPrompt) {
		t.Fatalf("misspelt name: err = %v, want errUnknownPrompt", err)
	}
}

func TestFindOrphans(t *testing.T) {
	dir := t.TempDir()
	for _, file := range []string{"en/greeting.wav", "en/old_menu.wav", "zh/greeting.wav", "ko/greeting.wav"} {
		full := filepath.Join(dir, file)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	catalogue := texts{"greeting": {"en": "Hello", "zh": "您好"}}
	orphans, err := findOrphans(catalogue, dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, orphan := range orphans {
		rel, _ := filepath.Rel(dir, orphan)
		got = append(got, filepath.ToSlash(rel))
	}
	want := []string{"en/old_menu.wav", "ko/greeting.wav"}
	if !slices.Equal(got, want) {
		t.Fatalf("orphans = %v, want %v", got, want)
	}
}

func TestSoxArgsProduceTelephoneFormat(t *testing.T) {
	args := strings.Join(soxArgs("in.wav", "out.wav"), " ")
	for _, want := range []string{"-R in.wav", "-r 8000 -c 1 -b 16 -e signed-integer out.wav", "gain -n -3", "pad 0.1 0.1"} {
		if !strings.Contains(args, want) {
			t.Errorf("sox args %q lack %q", args, want)
		}
	}
}
