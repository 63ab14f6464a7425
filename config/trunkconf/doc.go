// Package trunkconf is the trunks section of the configuration: a carrier's
// or provider's interconnect (addresses or host, identity trust, number
// rules, credentials, registration, OPTIONS pings), its defaults and the
// checks of one trunk.
//
// It owns what one trunk's keys mean and when they are wrong, as "key:
// reason" relative to the trunk. Package config reads the file, places
// each reason at its file and line, and checks what spans sections (the
// callback gateway's trunk list).
//
// It must not read files, open sockets or resolve names, or import config.
package trunkconf
