package web

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/hotline-oss/hotline/web/webkit"
)

// OpenAPIPath is where the server serves its OpenAPI description.
const OpenAPIPath = "/api/v1/openapi.json"

// openAPIYAML is the hand-written OpenAPI 3 description of every route. It
// is kept as YAML for people to read and edit, and served as JSON.
//
//go:embed openapi.yaml
var openAPIYAML []byte

// OpenAPIJSON is the API description as JSON, converted from the embedded
// YAML once per process. Keys keep the order they have in the YAML, so the
// served document reads like the file.
var OpenAPIJSON = sync.OnceValues(func() ([]byte, error) {
	out, err := yamlToJSON(openAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi description: %w", err)
	}
	return out, nil
})

// serveOpenAPI answers GET /api/v1/openapi.json. It needs no token: the
// description holds no data, only what the open-source server itself says.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	doc, err := OpenAPIJSON()
	if err != nil {
		webkit.WriteError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(doc)
}

// yamlToJSON converts one YAML document to indented JSON, keeping the order
// of mapping keys.
func yamlToJSON(src []byte) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 {
		return nil, errors.New("yaml: want exactly one document")
	}
	var buf bytes.Buffer
	if err := writeJSONNode(&buf, root.Content[0]); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	return out.Bytes(), nil
}

func writeJSONNode(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.AliasNode:
		return writeJSONNode(buf, n.Alias)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if key.Kind != yaml.ScalarNode || key.Tag == "!!merge" {
				return fmt.Errorf("yaml: line %d: only plain keys are supported", key.Line)
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(key.Value) // every key is a JSON string
			buf.Write(k)
			buf.WriteByte(':')
			if err := writeJSONNode(buf, val); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSONNode(buf, c); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		return writeJSONScalar(buf, n)
	}
	return fmt.Errorf("yaml: line %d: unsupported node", n.Line)
}

func writeJSONScalar(buf *bytes.Buffer, n *yaml.Node) error {
	var v any
	switch n.ShortTag() {
	case "!!str", "!!timestamp", "!!binary":
		v = n.Value // dates stay the text written
	default:
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("yaml: line %d: %w", n.Line, err)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("yaml: line %d: %w", n.Line, err)
	}
	buf.Write(b)
	return nil
}
