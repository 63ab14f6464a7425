package interp

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/internal/ivrtest"
)

const areaMenuFlow = `
flows:
  main:
    start: area_menu
    nodes:
      area_menu:
        type: menu
        prompts: [main_menu]
        options: {"1": area_north, "2": area_south}
      area_north: {type: set, vars: {area: north}, next: notices}
      area_south: {type: set, vars: {area: south, district_code: "02"}, next: notices}
      notices: {type: notices, prompts: [press_1_continue], next: bye}
      bye: {type: hangup}
`

// A menu choice sets the area a notices node then reads: the "chosen area"
// route to outage notices, beside the one through an account look-up.
func TestSetNodeGivesNoticesTheChosenArea(t *testing.T) {
	flows, _, err := ivrtest.ParseConfig(t, "set.yaml", areaMenuFlow, ivr.Validator{})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, flows["main"], noticesEnv("en"))
	h.start()
	var heard []string
	for _, a := range h.s.Handle(Digit{D: '1'}) {
		if n, ok := a.(NoticeHeard); ok {
			heard = append(heard, n.ID+"@"+n.Area)
		}
	}
	if strings.Join(heard, ",") != "3@north,5@north" {
		t.Errorf("heard %v, want the north notices", heard)
	}
	if v := h.s.Vars(); v["area"] != "north" {
		t.Errorf("vars %v", v)
	}

	h = newHarness(t, flows["main"], noticesEnv("en"))
	h.start()
	for _, a := range h.s.Handle(Digit{D: '2'}) {
		if _, ok := a.(NoticeHeard); ok {
			t.Errorf("south has no notices, heard %+v", a)
		}
	}
	if v := h.s.Vars(); v["area"] != "south" || v["district_code"] != "02" {
		t.Errorf("vars %v", v)
	}
}

func TestSetNodeErrors(t *testing.T) {
	for _, tc := range []struct{ node, want string }{
		{`{type: set, next: bye}`, `missing key "vars"`},
		{`{type: set, vars: {}, next: bye}`, "at least one variable"},
		{`{type: set, vars: {Area: north}, next: bye}`, `"Area" is not a variable name`},
		{`{type: set, vars: {area: [a, b]}, next: bye}`, "vars.area: expected a single value"},
		{`{type: set, vars: {area: north}, next: nowhere}`, "nowhere"},
	} {
		src := "flows:\n  main:\n    start: s\n    nodes:\n      s: " + tc.node + "\n      bye: {type: hangup}\n"
		_, _, err := ivrtest.ParseConfig(t, "set.yaml", src, ivr.Validator{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "set.yaml:") {
			t.Errorf("%s: err %v, want %q with file:line", tc.node, err, tc.want)
		}
	}
}
