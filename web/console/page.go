package console

import (
	"embed"
	"fmt"
	"regexp"
)

// The console is one page, written as several files so that each view
// stays readable: index.html names the others with <!--include:NAME-->
// (markup) and /*include:NAME*/ (script), and they are put in place once,
// at start. The page still loads in one request, its scripts inline as
// the Content-Security-Policy wants.
//
//go:embed *.html *.js
var files embed.FS

var page = assemble()

// Page is the console's page as it is served, before its language is
// filled in.
func Page() []byte { return page }

var includeMark = regexp.MustCompile(`<!--include:([a-z_]+\.(?:html|js))-->|/\*include:([a-z_]+\.(?:html|js))\*/`)

func assemble() []byte {
	page, err := files.ReadFile("index.html")
	if err != nil {
		panic(fmt.Sprintf("console: page: %v", err))
	}
	return includeMark.ReplaceAllFunc(page, func(mark []byte) []byte {
		m := includeMark.FindSubmatch(mark)
		name := string(m[1]) + string(m[2])
		part, err := files.ReadFile(name)
		if err != nil {
			panic(fmt.Sprintf("console: page: include %s: %v", name, err))
		}
		return part
	})
}
