package config

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// PosError is a configuration error with the place it was found, so the
// operator sees `file:line:col: reason`.
type PosError struct {
	File string
	Line int
	Col  int
	Msg  string
}

func (e *PosError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

func posErr(file string, n *yaml.Node, format string, args ...any) *PosError {
	e := &PosError{File: file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	return e
}

// checkKnownKeys walks a YAML mapping against the yaml tags of the struct it
// will be decoded into and reports every key the struct does not have, with
// its position. yaml.v3 can only do this for a whole document, and our
// sections are decoded one by one.
func checkKnownKeys(file, where string, n *yaml.Node, t reflect.Type) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n == nil || t == reflect.TypeOf(yaml.Node{}) {
		return nil // raw nodes are checked by whoever parses them
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil // the decoder reports the type mismatch with its line
		}
		fields := yamlFields(t)
		var errs []error
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			ft, ok := fields[key.Value]
			if !ok {
				errs = append(errs, posErr(file, key, "%s: unknown key %q", where, key.Value))
				continue
			}
			errs = append(errs, checkKnownKeys(file, where+"."+key.Value, val, ft)...)
		}
		return errs
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var errs []error
		for i := 0; i+1 < len(n.Content); i += 2 {
			errs = append(errs, checkKnownKeys(file, where+"."+n.Content[i].Value, n.Content[i+1], t.Elem())...)
		}
		return errs
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		var errs []error
		for i, item := range n.Content {
			errs = append(errs, checkKnownKeys(file, fmt.Sprintf("%s[%d]", where, i), item, t.Elem())...)
		}
		return errs
	}
	return nil
}

func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "inline") {
			for k, v := range yamlFields(f.Type) {
				fields[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}
