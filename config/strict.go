package config

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
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

// Problems flattens joined errors into one list, drops repeats (two checks
// may find the same fault) and orders the positioned ones by file, line and
// column, so a report reads top to bottom like the file.
func Problems(err error) []error {
	var flat []error
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, inner := range j.Unwrap() {
				walk(inner)
			}
			return
		}
		flat = append(flat, e)
	}
	walk(err)
	seen := make(map[string]bool, len(flat))
	out := flat[:0]
	for _, e := range flat {
		if !seen[e.Error()] {
			seen[e.Error()] = true
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b error) int {
		pa, oka := position(a)
		pb, okb := position(b)
		switch {
		case !oka || !okb:
			return cmp.Compare(rank(oka), rank(okb))
		case pa.File != pb.File:
			return strings.Compare(pa.File, pb.File)
		}
		return cmp.Or(cmp.Compare(pa.Line, pb.Line), cmp.Compare(pa.Col, pb.Col))
	})
	return out
}

// position is where e was found: a PosError's, or the "file:line:col: "
// another package's positioned error (the IVR's) starts with. A
// file-level error (no line) sorts before the file's lines; errors without
// any position come last.
func position(e error) (PosError, bool) {
	var pe *PosError
	if errors.As(e, &pe) {
		return *pe, true
	}
	m := positionPrefix.FindStringSubmatch(e.Error())
	if m == nil {
		return PosError{}, false
	}
	line, _ := strconv.Atoi(m[2])
	col, _ := strconv.Atoi(m[3])
	return PosError{File: m[1], Line: line, Col: col}, true
}

var positionPrefix = regexp.MustCompile(`^(.+?):(\d+):(\d+): `)

func rank(positioned bool) int {
	if positioned {
		return 0
	}
	return 1
}
