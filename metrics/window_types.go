package metrics

import "github.com/hotline-oss/hotline/metrics/rolling"

// The rolling windows' names, kept here for the packages that read the
// figures through Metrics (package rolling does the arithmetic).
type (
	// Clock tells the rolling windows what time it is at scrape time.
	Clock = rolling.Clock
	// Window names a rolling window as the window label shows it.
	Window = rolling.Window
	// Figure is one KPI value of a window, or undefined.
	Figure = rolling.Figure
	// Figures are one queue's KPIs over one window.
	Figures = rolling.Figures
	// WindowOption configures the rolling windows.
	WindowOption = rolling.Option
)

// The rolling windows.
const (
	Window15m   = rolling.Window15m
	Window30m   = rolling.Window30m
	WindowToday = rolling.WindowToday
)

// Windows lists every Window in label order.
var Windows = rolling.Windows

// The windows' options.
var (
	WithAgentQueues         = rolling.WithAgentQueues
	WithServiceLevelTargets = rolling.WithServiceLevelTargets
	WithRecordsOnly         = rolling.WithRecordsOnly
)
