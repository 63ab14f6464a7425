package console

import (
	"embed"

	"github.com/hotline-oss/hotline/web/webkit"
)

// The console is one page, written as several files so that each view
// stays readable: index.html names the others, and they are put in place
// once, at start (see webkit.Assemble).
//
//go:embed *.html *.js
var files embed.FS

var page = webkit.Assemble(files, "console")

// Page is the console's page as it is served, before its language is
// filled in.
func Page() []byte { return page }
