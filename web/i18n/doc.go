// Package i18n holds the web pages' texts, one JSON catalog per language
// (key → text), and serves a page in the user's language: ?lang=, the
// language cookie, the browser's Accept-Language, then the hotline's
// standard language.
//
// It owns the catalogs and the choice of language only. It must not know
// any page's content or routes, and imports nothing of ours.
package i18n
