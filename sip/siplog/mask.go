package siplog

import "strings"

// MaskNumber replaces all but the last four characters with '*'.
func MaskNumber(number string) string {
	if len(number) <= 4 {
		return strings.Repeat("*", len(number))
	}
	return strings.Repeat("*", len(number)-4) + number[len(number)-4:]
}
