package config

import (
	"fmt"
	"reflect"
	"time"

	"gopkg.in/yaml.v3"
)

var (
	durationType = reflect.TypeOf(time.Duration(0))
	nodeType     = reflect.TypeOf(yaml.Node{})
	unmarshaler  = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
)

// checkTypes walks the document against the types it decodes into and
// reports every value of the wrong type with its key path and position.
// yaml.v3's own messages carry neither the key nor the column ("line 7:
// cannot unmarshal !!str `soon` into time.Duration"), and an operator
// fixing a file wants all of them at once.
func checkTypes(file, path string, n *yaml.Node, t reflect.Type) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n == nil || t == nodeType || n.Kind == yaml.AliasNode {
		return nil // raw nodes are checked by whoever parses them
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // an empty value keeps the default
	}
	if reflect.PointerTo(t).Implements(unmarshaler) {
		return decodeCheck(file, path, n, t)
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return []error{typeErr(file, path, n, "want a mapping of keys")}
		}
		fields := yamlFields(t)
		var errs []error
		for i := 0; i+1 < len(n.Content); i += 2 {
			if ft, ok := fields[n.Content[i].Value]; ok {
				errs = append(errs, checkTypes(file, join(path, n.Content[i].Value), n.Content[i+1], ft)...)
			}
		}
		return errs
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return []error{typeErr(file, path, n, "want a mapping of keys")}
		}
		var errs []error
		for i := 0; i+1 < len(n.Content); i += 2 {
			errs = append(errs, checkTypes(file, join(path, n.Content[i].Value), n.Content[i+1], t.Elem())...)
		}
		return errs
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return []error{typeErr(file, path, n, "want a list")}
		}
		var errs []error
		for i, item := range n.Content {
			errs = append(errs, checkTypes(file, fmt.Sprintf("%s[%d]", path, i), item, t.Elem())...)
		}
		return errs
	case reflect.Interface:
		return nil
	}
	return decodeCheck(file, path, n, t)
}

// decodeCheck decodes one value on its own, with the decoder's own rules,
// and turns a failure into a message that says what the key wants.
func decodeCheck(file, path string, n *yaml.Node, t reflect.Type) []error {
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		if n.Kind != yaml.ScalarNode {
			return []error{typeErr(file, path, n, "want %s", want(t))}
		}
		return []error{typeErr(file, path, n, "%q is not %s", n.Value, want(t))}
	}
	return nil
}

func want(t reflect.Type) string {
	switch {
	case t == durationType:
		return "a duration (a number with a unit: 300ms, 15s, 10m, 1h)"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "text"
	}
	return "a " + t.String()
}

func typeErr(file, path string, n *yaml.Node, format string, args ...any) error {
	e := posErr(file, n, format, args...)
	e.Msg = path + ": " + e.Msg
	return e
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
