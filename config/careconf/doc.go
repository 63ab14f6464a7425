// Package careconf is the care part of the configuration: a queue's
// post-call survey, sticky agent and recording, and the routing of repeat
// complainers (repeat_complaints), their defaults and their checks.
//
// It owns what those keys mean and when they are wrong, as "key: reason"
// relative to the queue or the section. Package config reads the file,
// places each reason at its file and line, and checks what spans sections
// (the senior queue exists).
//
// It must not read files, touch a call, or import config.
package careconf
