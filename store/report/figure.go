package report

import (
	"math"
	"strconv"
	"time"
)

// Figure is a computed indicator that may be undefined, such as a service
// level with no calls to divide by. Undefined is NaN in Go, null in JSON and
// an empty cell in CSV, so that "no calls" never reads as "0 %".
type Figure float64

func undefined() Figure { return Figure(math.NaN()) }

// Defined reports whether the figure has a value.
func (f Figure) Defined() bool { return !math.IsNaN(float64(f)) }

// MarshalJSON writes null for an undefined figure.
func (f Figure) MarshalJSON() ([]byte, error) {
	if !f.Defined() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(f), 'f', -1, 64), nil
}

// String formats the figure for CSV: at most three decimals, empty when
// undefined.
func (f Figure) String() string {
	if !f.Defined() {
		return ""
	}
	return strconv.FormatFloat(math.Round(float64(f)*1000)/1000, 'f', -1, 64)
}

// ratio divides, leaving the figure undefined when there is nothing to
// divide by.
func ratio(num, den float64) Figure {
	if den == 0 {
		return undefined()
	}
	return Figure(num / den)
}

// average is a mean of durations in seconds.
func average(total time.Duration, n int) Figure {
	return ratio(total.Seconds(), float64(n))
}

func seconds(d time.Duration) Figure { return Figure(d.Seconds()) }

// Ratio is num ÷ den, undefined when den is 0.
func Ratio(num, den float64) Figure { return ratio(num, den) }
