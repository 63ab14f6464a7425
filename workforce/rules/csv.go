package rules

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/store"
)

// MaxImportLines bounds one CSV import (a month for several hundred agents).
const MaxImportLines = 50000

// LineProblem is one thing wrong with one line of an import.
type LineProblem struct {
	Line    int    `json:"line"`
	Problem string `json:"problem"`
}

func (p LineProblem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Problem) }

// ImportLine is a shift read from one line of a CSV file.
type ImportLine struct {
	Line  int
	Shift store.Shift
}

var csvColumns = []string{"agent", "date", "start", "end", "activity", "breaks", "note"}

// ParseCSV reads a schedule, one shift a line, with a header naming the
// columns: agent, date (YYYY-MM-DD), start and end (HH:MM in the rules'
// time zone; an end written HH:MM+1 is on the next day), and optionally
// activity (default phones), breaks ("12:00-12:30 lunch; 15:00-15:15",
// activity default break) and note. Every problem is reported with its
// line; the file is good only when there is none. Overlaps between the
// file's own lines are problems too.
func (r Rules) ParseCSV(in io.Reader, knownAgent func(string) bool) ([]ImportLine, []LineProblem) {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	header, err := cr.Read()
	if err != nil {
		return nil, []LineProblem{{Line: 1, Problem: "a header line is needed: " + strings.Join(csvColumns, ",")}}
	}
	cols, problems := readHeader(header)
	if len(problems) > 0 {
		return nil, problems
	}
	var lines []ImportLine
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			// A broken quote leaves the rest of the file unreadable.
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
				err = pe.Err
			}
			problems = append(problems, LineProblem{Line: line, Problem: err.Error() + " (the rest of the file was not read)"})
			break
		}
		if len(lines)+len(problems) >= MaxImportLines {
			problems = append(problems, LineProblem{Line: line, Problem: fmt.Sprintf("more than %d lines: split the file", MaxImportLines)})
			break
		}
		sh, bad := r.parseLine(rec, cols, knownAgent)
		for _, b := range bad {
			problems = append(problems, LineProblem{Line: line, Problem: b})
		}
		if len(bad) == 0 {
			lines = append(lines, ImportLine{Line: line, Shift: sh})
		}
	}
	problems = append(problems, r.fileOverlaps(lines)...)
	slices.SortStableFunc(problems, func(a, b LineProblem) int { return a.Line - b.Line })
	return lines, problems
}

func readHeader(header []string) (map[string]int, []LineProblem) {
	cols := map[string]int{}
	var problems []LineProblem
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch {
		case !slices.Contains(csvColumns, h):
			problems = append(problems, LineProblem{Line: 1, Problem: fmt.Sprintf("column %q is unknown (want %s)", h, strings.Join(csvColumns, ", "))})
		case cols[h] != 0:
			problems = append(problems, LineProblem{Line: 1, Problem: fmt.Sprintf("column %q appears twice", h)})
		}
		cols[h] = i + 1 // 0 means absent
	}
	for _, need := range csvColumns[:4] {
		if cols[need] == 0 {
			problems = append(problems, LineProblem{Line: 1, Problem: fmt.Sprintf("column %q is missing", need)})
		}
	}
	return cols, problems
}

func (r Rules) parseLine(rec []string, cols map[string]int, knownAgent func(string) bool) (store.Shift, []string) {
	field := func(name string) string {
		if i := cols[name]; i > 0 && i <= len(rec) {
			return strings.TrimSpace(rec[i-1])
		}
		return ""
	}
	sh := store.Shift{Agent: field("agent"), Activity: field("activity"), Note: field("note")}
	var bad []string
	day, err := time.ParseInLocation("2006-01-02", field("date"), r.Loc())
	if err != nil {
		return sh, []string{fmt.Sprintf("date %q: want YYYY-MM-DD", field("date"))}
	}
	if sh.Start, err = timeOfDay(day, field("start"), false); err != nil {
		bad = append(bad, "start "+err.Error())
	}
	if sh.End, err = timeOfDay(day, field("end"), true); err != nil {
		bad = append(bad, "end "+err.Error())
	}
	if len(bad) > 0 {
		return sh, bad
	}
	if sh.Breaks, err = parseBreaks(day, sh.Start, field("breaks")); err != nil {
		return sh, []string{err.Error()}
	}
	sh = Normalize(sh)
	return sh, r.Check(sh, knownAgent)
}

// timeOfDay reads HH:MM on day; with next allowed, HH:MM+1 is the next day
// and 24:00 the end of the day.
func timeOfDay(day time.Time, s string, next bool) (time.Time, error) {
	plus := 0
	if rest, ok := strings.CutSuffix(s, "+1"); ok && next {
		s, plus = rest, 1
	}
	if next && s == "24:00" {
		s, plus = "00:00", plus+1
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want HH:MM", s)
	}
	return time.Date(day.Year(), day.Month(), day.Day()+plus, t.Hour(), t.Minute(), 0, 0, day.Location()), nil
}

// parseBreaks reads "12:00-12:30 lunch; 15:00-15:15". A break starting
// before the shift's time of day is on the next day (a night shift).
func parseBreaks(day, shiftStart time.Time, s string) ([]store.ShiftBreak, error) {
	var out []store.ShiftBreak
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		span, activity, _ := strings.Cut(part, " ")
		from, to, ok := strings.Cut(span, "-")
		if !ok {
			return nil, fmt.Errorf("break %q: want HH:MM-HH:MM [activity]", part)
		}
		start, err := timeOfDay(day, from, false)
		if err != nil {
			return nil, fmt.Errorf("break %q: start %v", part, err)
		}
		if start.Before(shiftStart) {
			start = start.AddDate(0, 0, 1)
		}
		end, err := timeOfDay(start, to, false)
		if err != nil {
			return nil, fmt.Errorf("break %q: end %v", part, err)
		}
		if end.Before(start) {
			end = end.AddDate(0, 0, 1)
		}
		out = append(out, store.ShiftBreak{Start: start, End: end, Activity: strings.TrimSpace(activity)})
	}
	return out, nil
}

// fileOverlaps finds the lines whose shift overlaps an earlier-starting
// line's of the same agent: sorted by start, a shift overlaps when it
// starts before the latest end seen so far.
func (r Rules) fileOverlaps(lines []ImportLine) []LineProblem {
	byAgent := map[string][]ImportLine{}
	for _, l := range lines {
		byAgent[l.Shift.Agent] = append(byAgent[l.Shift.Agent], l)
	}
	var problems []LineProblem
	for _, list := range byAgent {
		slices.SortStableFunc(list, func(a, b ImportLine) int { return a.Shift.Start.Compare(b.Shift.Start) })
		reach := list[0] // the line whose shift ends last so far
		for _, l := range list[1:] {
			if !l.Shift.Start.Before(reach.Shift.End) {
				reach = l
				continue
			}
			first, second := reach, l
			if first.Line > second.Line {
				first, second = second, first
			}
			problems = append(problems, LineProblem{Line: second.Line, Problem: fmt.Sprintf(
				"agent %s: shift %s overlaps line %d (%s)", second.Shift.Agent, r.Span(second.Shift.Start, second.Shift.End),
				first.Line, r.Span(first.Shift.Start, first.Shift.End))})
			if l.Shift.End.After(reach.Shift.End) {
				reach = l
			}
		}
	}
	return problems
}
