package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WriteCSV writes report rows (IntervalRow, AgentRow, RepeatCaller,
// RepeatCount, or any struct of plain fields) as CSV with a header line.
// Columns are the struct fields in order, named by their csv tag (or json
// tag); `csv:"-"` leaves a field out. Times are RFC 3339 in their own
// location, durations are seconds, undefined figures are empty cells, and
// maps are "key=value" pairs joined by ';'.
func WriteCSV[T any](w io.Writer, rows []T) error {
	typ := reflect.TypeFor[T]()
	if typ.Kind() != reflect.Struct {
		return fmt.Errorf("store: csv: rows must be structs, not %s", typ)
	}
	cols, names := csvColumns(typ)
	cw := csv.NewWriter(w)
	if err := cw.Write(names); err != nil {
		return fmt.Errorf("store: csv: %w", err)
	}
	record := make([]string, len(cols))
	for _, row := range rows {
		v := reflect.ValueOf(row)
		for i, idx := range cols {
			cell, err := csvCell(v.Field(idx))
			if err != nil {
				return fmt.Errorf("store: csv: column %s: %w", names[i], err)
			}
			record[i] = cell
		}
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("store: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("store: csv: %w", err)
	}
	return nil
}

func csvColumns(typ reflect.Type) (idx []int, names []string) {
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		name := tagName(f.Tag.Get("csv"))
		if name == "" {
			name = tagName(f.Tag.Get("json"))
		}
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		idx = append(idx, i)
		names = append(names, name)
	}
	return idx, names
}

func tagName(tag string) string {
	name, _, _ := strings.Cut(tag, ",")
	return name
}

var (
	figureType   = reflect.TypeFor[Figure]()
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
)

func csvCell(v reflect.Value) (string, error) {
	switch v.Type() {
	case figureType:
		return v.Interface().(Figure).String(), nil
	case timeType:
		t := v.Interface().(time.Time)
		if t.IsZero() {
			return "", nil
		}
		return t.Format(time.RFC3339), nil
	case durationType:
		return Figure(v.Interface().(time.Duration).Seconds()).String(), nil
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return Figure(v.Float()).String(), nil
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), nil
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			cell, err := csvCell(v.Index(i))
			if err != nil {
				return "", err
			}
			parts[i] = cell
		}
		return strings.Join(parts, ";"), nil
	case reflect.Map:
		return csvMap(v)
	}
	return "", fmt.Errorf("unsupported type %s", v.Type())
}

func csvMap(v reflect.Value) (string, error) {
	if v.Type().Key().Kind() != reflect.String {
		return "", fmt.Errorf("unsupported map key %s", v.Type().Key())
	}
	var parts []string
	for _, k := range v.MapKeys() {
		cell, err := csvCell(v.MapIndex(k))
		if err != nil {
			return "", err
		}
		parts = append(parts, k.String()+"="+cell)
	}
	slices.Sort(parts)
	return strings.Join(parts, ";"), nil
}
