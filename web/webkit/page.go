package webkit

import (
	"fmt"
	"io/fs"
	"regexp"
)

var includeMark = regexp.MustCompile(`<!--include:([a-z_]+\.(?:html|js))-->|/\*include:([a-z_]+\.(?:html|js))\*/`)

// Assemble builds a page written as several files so that each view
// stays readable: index.html of files names the others with
// <!--include:NAME--> (markup) and /*include:NAME*/ (script), and each is
// put in its place. The page still loads in one request, its scripts
// inline as the pages' Content-Security-Policy wants. The files are
// embedded, so a missing one is a mistake of the build: Assemble panics,
// naming the page (what).
func Assemble(files fs.FS, what string) []byte {
	page, err := fs.ReadFile(files, "index.html")
	if err != nil {
		panic(fmt.Sprintf("%s: page: %v", what, err))
	}
	return includeMark.ReplaceAllFunc(page, func(mark []byte) []byte {
		m := includeMark.FindSubmatch(mark)
		name := string(m[1]) + string(m[2])
		part, err := fs.ReadFile(files, name)
		if err != nil {
			panic(fmt.Sprintf("%s: page: include %s: %v", what, name, err))
		}
		return part
	})
}
