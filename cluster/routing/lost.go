package routing

import (
	"time"

	"github.com/hotline-oss/hotline/acd"
)

// keepLost is how many calls of dead nodes a Router remembers: enough for
// a leader taking over to hand over again what a dead leader may not have
// handed over, bounded so that a long stream replayed at start costs no
// more.
const keepLost = 1024

// LostCall is a call or a callback the ACD held for a node when that node
// was declared gone (node_gone), as the ACD knew it just before ending it.
// Every router records the same ones, in the same order.
type LostCall struct {
	Seq      uint64 // the node_gone command's stream sequence
	At       time.Time
	Node     string // the node that died
	Call     string
	Queue    string
	Caller   string
	Priority int
	Queued   time.Time
	Agent    string    // connected agent, if it talked
	Answered time.Time // when that agent answered
	// Callback: a pending virtual hold callback (Call is its id): nobody
	// was on the line, it can be taken over by a live node.
	Callback bool
}

// noteLost remembers what the ACD holds of a call of a dead node, before
// node_gone ends it.
func (r *Router) noteLost(node, id string, info acd.CallInfo) {
	l := LostCall{Seq: r.applied, At: r.clock.Now(), Node: node, Call: id, Queue: info.Queue, Caller: info.Caller,
		Priority: info.Priority, Queued: info.Joined}
	if info.Agent != "" {
		l.Agent, l.Answered = info.Agent, info.Joined.Add(info.Wait)
	}
	_, l.Callback = r.acd.IsCallback(id)
	if len(r.lost) == keepLost {
		r.lost = append(r.lost[:0], r.lost[1:]...)
	}
	r.lost = append(r.lost, l)
}

// Lost lists the calls of dead nodes remembered with a node_gone after
// stream sequence after, in stream order.
func (r *Router) Lost(after uint64) []LostCall {
	var out []LostCall
	for _, l := range r.lost {
		if l.Seq > after {
			out = append(out, l)
		}
	}
	return out
}
