package web

import (
	"github.com/hotline-oss/hotline/web/agentpanel"
	"github.com/hotline-oss/hotline/web/console"
	"github.com/hotline-oss/hotline/web/i18n"
	"github.com/hotline-oss/hotline/web/sse"
)

// The names of the pages and the event stream, kept in web beside the
// rest (see names.go).

// The agent panel (package agentpanel).
type (
	PanelCall        = agentpanel.PanelCall
	PanelDisposition = agentpanel.PanelDisposition
	PanelView        = agentpanel.PanelView
	AgentPanelSource = agentpanel.AgentPanelSource
	PanelPasswords   = agentpanel.PanelPasswords
	PanelOption      = agentpanel.PanelOption
	PanelTickets     = agentpanel.PanelTickets
)

// PanelHeader must be sent with value "1" on every panel POST.
const PanelHeader = agentpanel.PanelHeader

var (
	WithPanelClock            = agentpanel.WithPanelClock
	WithPauseReasons          = agentpanel.WithPauseReasons
	WithDispositionCategories = agentpanel.WithDispositionCategories
	WithPanelReviews          = agentpanel.WithPanelReviews
	WithPanelTickets          = agentpanel.WithPanelTickets
)

// The supervisor console (package console).
type (
	ConsoleAgent    = console.ConsoleAgent
	WaitingView     = console.WaitingView
	ConsoleSnapshot = console.ConsoleSnapshot
	AdherenceSource = console.AdherenceSource
	ConsoleDeps     = console.ConsoleDeps
	TicketCounts    = console.TicketCounts
)

// ConsoleHeader must be sent with value "1" on every console POST.
const ConsoleHeader = console.ConsoleHeader

// The event stream (package sse).
type EventHub = sse.EventHub

var (
	NewEventHub       = sse.NewEventHub
	WithCallerNumbers = sse.WithCallerNumbers
	MarshalEvent      = sse.MarshalEvent
	ParseKinds        = sse.ParseKinds
)

// PageLanguages are the languages the web pages are written in; the
// first is the standard language, the default.
var PageLanguages = i18n.PageLanguages
