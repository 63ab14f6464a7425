package store

import "strings"

// Mask hides all but the last four characters of a caller number or an
// account number, for logs and for screens that need to tell records apart
// without showing personal data. Values of four characters or fewer are
// hidden entirely.
func Mask(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

// MaskVars returns a copy of the IVR variables with every value masked.
func MaskVars(vars map[string]string) map[string]string {
	if vars == nil {
		return nil
	}
	out := make(map[string]string, len(vars))
	for k, v := range vars {
		out[k] = Mask(v)
	}
	return out
}
