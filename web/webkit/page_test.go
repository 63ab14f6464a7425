package webkit

import (
	"testing"
	"testing/fstest"
)

func TestAssemblePutsTheIncludedFilesInPlace(t *testing.T) {
	files := fstest.MapFS{
		"index.html": {Data: []byte("<body><!--include:view.html--><script>/*include:view.js*/</script></body>")},
		"view.html":  {Data: []byte("<p>view</p>")},
		"view.js":    {Data: []byte("show();")},
	}
	if got, want := string(Assemble(files, "test")), "<body><p>view</p><script>show();</script></body>"; got != want {
		t.Errorf("page %q, want %q", got, want)
	}
	defer func() {
		if r := recover(); r != "test: page: include gone.js: open gone.js: file does not exist" {
			t.Errorf("a missing include: %v", r)
		}
	}()
	files["index.html"] = &fstest.MapFile{Data: []byte("/*include:gone.js*/")}
	Assemble(files, "test")
}
