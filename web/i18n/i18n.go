package i18n

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"golang.org/x/text/language"
)

// The pages' texts in every language the hotline serves: one flat JSON
// catalog (key → text) per language. The page gets its catalog inlined,
// so it renders in one request, and looks every text up by key.
//
//go:embed *.json
var catalogFiles embed.FS

// PageLanguages are the languages the web pages are written in; the
// first is the standard language, the default.
var PageLanguages = []string{"zh", "en", "ko"}

// LangCookie keeps a user's choice for every page of the server.
const LangCookie = "hotline_lang"

var (
	catalogs    = map[string][]byte{}
	langMatcher language.Matcher
)

func init() {
	tags := make([]language.Tag, 0, len(PageLanguages))
	for _, l := range PageLanguages {
		data, err := catalogFiles.ReadFile(l + ".json")
		if err != nil {
			panic(fmt.Sprintf("i18n: catalog %s: %v", l, err))
		}
		var check map[string]string
		if err := json.Unmarshal(data, &check); err != nil {
			panic(fmt.Sprintf("i18n: catalog %s: %v", l, err))
		}
		compact, _ := json.Marshal(check)
		catalogs[l] = compact
		tags = append(tags, language.Make(l))
	}
	langMatcher = language.NewMatcher(tags)
}

// pageLanguage picks the page's language: ?lang= (remembered in a
// cookie), then the cookie, then the browser's Accept-Language, then
// def (the hotline's standard language).
func pageLanguage(w http.ResponseWriter, r *http.Request, def string) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(PageLanguages, l) {
		http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie(LangCookie); err == nil && slices.Contains(PageLanguages, c.Value) {
		return c.Value
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		if tags, _, err := language.ParseAcceptLanguage(al); err == nil && len(tags) > 0 {
			_, idx, conf := langMatcher.Match(tags...)
			if conf != language.No {
				return PageLanguages[idx]
			}
		}
	}
	if slices.Contains(PageLanguages, def) {
		return def
	}
	return PageLanguages[0]
}

// Placeholders a page carries for its language and catalog.
var (
	LangMark    = []byte(`lang="zh"`)
	CatalogMark = []byte(`/*CATALOG*/{}`)
)

// Catalog is lang's catalog as the pages get it: compact JSON, key → text;
// nil for a language no page is written in.
func Catalog(lang string) []byte { return catalogs[lang] }

// Localise fills a page's language and catalog in.
func Localise(page []byte, lang string) []byte {
	out := bytes.Replace(page, LangMark, []byte(`lang="`+lang+`"`), 1)
	return bytes.Replace(out, CatalogMark, catalogs[lang], 1)
}

// ServePage writes page in the user's language, def when they have none.
func ServePage(w http.ResponseWriter, r *http.Request, page []byte, def string) {
	lang := pageLanguage(w, r, def)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; media-src 'self'; frame-ancestors 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Language", lang)
	h.Add("Vary", "Accept-Language, Cookie")
	_, _ = w.Write(Localise(page, lang))
}
