// Package dialpolicy decides which numbers the server may call back and how
// often: an allow-list of number patterns (with a deny-list for premium
// ranges inside it) and caps per number and per hour.
//
// It only answers "may this number be dialled now?" and counts the dials
// it allowed. It must not dial, do I/O or read the clock: every call takes
// the time, so tests run on a fake one.
package dialpolicy
