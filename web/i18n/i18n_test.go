package i18n

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

func catalogOf(t *testing.T, lang string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(Catalog(lang), &m); err != nil {
		t.Fatalf("catalog %s: %v", lang, err)
	}
	return m
}

// Every text exists in every language, and none is left empty.
func TestEveryKeyIsInEveryLanguage(t *testing.T) {
	std := catalogOf(t, PageLanguages[0])
	want := slices.Sorted(maps.Keys(std))
	for _, lang := range PageLanguages {
		m := catalogOf(t, lang)
		got := slices.Sorted(maps.Keys(m))
		for _, k := range want {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
		for _, k := range got {
			if _, ok := std[k]; !ok {
				t.Errorf("%s has %q, which %s lacks", lang, k, PageLanguages[0])
			}
			if strings.TrimSpace(m[k]) == "" {
				t.Errorf("%s: %q is empty", lang, k)
			}
		}
	}
}
