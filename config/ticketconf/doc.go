// Package ticketconf is the tickets section of the configuration:
// complaint and work-order tickets' categories and answer deadlines,
// routing a returning caller to the ticket's owner, the work-order
// system's signing secret and the return-visit calls, their defaults and
// their checks.
//
// It owns what those keys mean and when they are wrong, as "key: reason"
// relative to tickets. Package config reads the file, places each reason
// at its file and line, and checks what spans sections (a return visit
// needs the callback gateway).
//
// It must not read files, dial, or import config.
package ticketconf
