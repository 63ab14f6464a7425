package ivr

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// PosError is a configuration error tied to a place in the YAML file, so an
// operator can jump straight to the offending line.
type PosError struct {
	File string
	Line int
	Col  int
	Msg  string // "flow main: node menu: reason"
}

func (e *PosError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// position is a location in a configuration file.
type position struct {
	File string
	Line int
	Col  int
}

func (p position) errorf(where, format string, args ...any) *PosError {
	msg := fmt.Sprintf(format, args...)
	if where != "" {
		msg = where + ": " + msg
	}
	return &PosError{File: p.File, Line: p.Line, Col: p.Col, Msg: msg}
}

// joinInFileOrder sorts errors by position so the report reads top to bottom,
// whatever order the checks ran in.
func joinInFileOrder(errs []*PosError) error {
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *PosError) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	all := make([]error, len(errs))
	for i, e := range errs {
		all[i] = e
	}
	return errors.Join(all...)
}
