// Package timerheap keeps the ACD's deadlines: timers that live inside the
// calls and agents they belong to, ordered by due time and, among timers
// due together, by the order they were armed. Arming one allocates nothing
// and cancelling one is a heap removal.
//
// It owns only the order of deadlines. It must not read the clock, start
// a timer or a goroutine, or know what a timer means: the ACD says when it
// is now, pops what is due and decides what each one does.
package timerheap
