package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/web/agentpanel"
	"github.com/hotline-oss/hotline/web/console"
	"github.com/hotline-oss/hotline/web/i18n"
)

func catalog(t *testing.T, lang string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(i18n.Catalog(lang), &m); err != nil {
		t.Fatalf("catalog %s: %v", lang, err)
	}
	return m
}

// Every key a page names (data-i18n attributes and t("…") calls) is in
// the catalog, so no page shows a bare key.
func TestEveryKeyThePagesUseIsInTheCatalog(t *testing.T) {
	std := catalog(t, PageLanguages[0])
	uses := regexp.MustCompile(`data-i18n(?:-placeholder|-label)?="([a-z_.]+)"|\bt\("([a-z_]+\.[a-z_]+)"\)`)
	for name, page := range map[string][]byte{"wallboard": wallboardPage, "agent panel": agentpanel.Page(), "console": console.Page()} {
		n := 0
		for _, m := range uses.FindAllSubmatch(page, -1) {
			key := string(m[1]) + string(m[2])
			n++
			if _, ok := std[key]; !ok {
				t.Errorf("%s uses %q, which the catalog lacks", name, key)
			}
		}
		if n < 10 {
			t.Errorf("%s names only %d texts; the pattern no longer finds them", name, n)
		}
		if !strings.Contains(string(page), string(i18n.CatalogMark)) || !strings.Contains(string(page), string(i18n.LangMark)) {
			t.Errorf("%s lacks the language or catalog placeholder", name)
		}
	}
}

func TestPageLanguageFollowsQueryCookieBrowserThenDefault(t *testing.T) {
	cases := []struct {
		name, query, cookie, accept, def, want string
	}{
		{"standard language by default", "", "", "", "zh", "zh"},
		{"configured default", "", "", "", "ko", "ko"},
		{"browser", "", "", "ko-KR,ko;q=0.9,en;q=0.5", "zh", "ko"},
		{"browser region", "", "", "en-GB", "zh", "en"},
		{"browser language not served", "", "", "fr-FR", "zh", "zh"},
		{"cookie over browser", "", "en", "ko", "zh", "en"},
		{"query over cookie", "ko", "en", "", "zh", "ko"},
		{"unknown query", "fr", "", "", "zh", "zh"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/wallboard?lang="+c.query, nil)
		if c.cookie != "" {
			r.AddCookie(&http.Cookie{Name: i18n.LangCookie, Value: c.cookie})
		}
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		w := httptest.NewRecorder()
		i18n.ServePage(w, r, wallboardPage, c.def)
		body := w.Body.String()
		if !strings.Contains(body, `<html lang="`+c.want+`">`) || w.Header().Get("Content-Language") != c.want {
			t.Errorf("%s: page in %q, want %s", c.name, w.Header().Get("Content-Language"), c.want)
		}
		if !strings.Contains(body, `"wallboard.waiting":"`+catalog(t, c.want)["wallboard.waiting"]+`"`) {
			t.Errorf("%s: the %s catalog is not inlined", c.name, c.want)
		}
		setsCookie := strings.Contains(w.Header().Get("Set-Cookie"), i18n.LangCookie+"="+c.query)
		if setsCookie != (c.query == c.want) {
			t.Errorf("%s: Set-Cookie %q", c.name, w.Header().Get("Set-Cookie"))
		}
	}
}
