package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/cluster/routing"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// ErrNotLeader is returned when a node that does not hold the lease (or
// whose lease ran out) tries to decide.
var ErrNotLeader = errors.New("cluster: not the leader")

// ErrDown is returned when NATS is not connected: the node must refuse
// the call rather than decide on stale state.
var ErrDown = errors.New("cluster: NATS is not connected")

// SendCommand stores a command in the command stream and returns its
// stream sequence once JetStream has it. Node, version and (if empty) id
// are filled in; a retry with the same id is stored once.
func (c *Conn) SendCommand(ctx context.Context, cmd routing.Command) (uint64, error) {
	if !c.Up() {
		return 0, ErrDown
	}
	cmd.V, cmd.Node = routing.WireVersion, c.Node
	if cmd.ID == "" {
		cmd.ID = nuid.Next()
	}
	if cmd.At == 0 {
		cmd.At = time.Now().UnixMilli()
	}
	if err := cmd.Check(); err != nil {
		return 0, fmt.Errorf("cluster: command: %w", err)
	}
	data, err := json.Marshal(cmd)
	if err != nil {
		return 0, fmt.Errorf("cluster: command: %w", err)
	}
	ack, err := c.JS.Publish(ctx, c.Names.CommandSubject(c.Node), data, jetstream.WithMsgID(cmd.ID))
	if err != nil {
		return 0, fmt.Errorf("cluster: send %s: %w", cmd.Kind, err)
	}
	return ack.Sequence, nil
}

// CommandHandler receives each valid command with its stream sequence,
// in stream order, on one goroutine.
type CommandHandler func(seq uint64, cmd routing.Command)

// ConsumeCommands delivers the command stream from sequence from (1 or 0:
// from the start), in order, to handle, until the returned stop is called.
// A message that does not parse is dropped, logged and counted. The
// leader keeps its own applied sequence, so nothing is acknowledged.
func (c *Conn) ConsumeCommands(ctx context.Context, from uint64, handle CommandHandler) (stop func(), err error) {
	return c.consume(ctx, from, func(seq uint64, cmd routing.Command, ok bool) {
		if ok {
			handle(seq, cmd)
		}
	})
}

// consume is ConsumeCommands that also reports the sequence of every
// dropped message (ok false), so a replay knows when it has read all.
func (c *Conn) consume(ctx context.Context, from uint64, handle func(seq uint64, cmd routing.Command, ok bool)) (stop func(), err error) {
	// The stream holds only commands: no filter (NATS 2.9 has no
	// multi-subject filters, which the ordered consumer would ask for).
	var cfg jetstream.OrderedConsumerConfig
	if from > 1 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = from
	}
	cons, err := c.JS.OrderedConsumer(ctx, c.Names.CommandStream(), cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster: command consumer: %w", err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		meta, err := m.Metadata()
		if err != nil {
			c.dropped(SubjectCommands, m.Subject(), err)
			return
		}
		seq := meta.Sequence.Stream
		cmd, err := routing.ParseCommand(m.Data())
		if err == nil && c.Names.CommandSubject(cmd.Node) != m.Subject() {
			err = fmt.Errorf("node %q sent on another node's subject", cmd.Node)
		}
		if err != nil {
			c.dropped(SubjectCommands, m.Subject(), err)
			handle(seq, routing.Command{}, false)
			return
		}
		handle(seq, cmd, true)
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: command consumer: %w", err)
	}
	return cc.Stop, nil
}

// dropped logs and counts a message that was not applied. The content is
// not logged: it may carry a caller's number.
func (c *Conn) dropped(kind, subject string, err error) {
	c.metrics.badMessage(kind)
	c.log.Warn("cluster: dropped a message that does not parse", "subject", subject, "err", err)
}

// Decide sends decisions to the nodes they are for, one message per
// node, each stamped with this leader's term. It refuses if the lease is
// not held at this instant.
func (e *Elector) Decide(ds ...routing.Decision) error {
	term, ok := e.Leading()
	if !ok {
		return ErrNotLeader
	}
	var order []string
	byNode := map[string][]routing.Decision{}
	for _, d := range ds {
		d.V, d.Term = routing.WireVersion, term
		if err := d.Check(); err != nil {
			return fmt.Errorf("cluster: decision: %w", err)
		}
		if _, seen := byNode[d.Node]; !seen {
			order = append(order, d.Node)
		}
		byNode[d.Node] = append(byNode[d.Node], d)
	}
	for _, node := range order {
		msgs, err := decisionMessages(byNode[node])
		if err != nil {
			return err
		}
		for _, data := range msgs {
			if err := e.conn.NC.Publish(e.conn.Names.DecisionSubject(node), data); err != nil {
				return fmt.Errorf("cluster: decide: %w", err)
			}
		}
	}
	return nil
}

// decisionBudget keeps a decision message well under the size a receiver
// accepts (routing's limit is 16 KiB).
const decisionBudget = 12 << 10

// decisionMessages encodes one node's decisions, usually one message; a
// new leader's re-send of many commands is split between commands (never
// inside one command's decisions, which a node handles together) so that
// no message grows past what the node accepts.
func decisionMessages(ds []routing.Decision) ([][]byte, error) {
	data, err := json.Marshal(ds)
	if err != nil {
		return nil, fmt.Errorf("cluster: decision: %w", err)
	}
	if len(data) <= decisionBudget {
		return [][]byte{data}, nil
	}
	var out [][]byte
	var chunk []routing.Decision
	size := 0
	for start := 0; start < len(ds); {
		end := start + 1
		for end < len(ds) && ds[end].Seq == ds[start].Seq {
			end++
		}
		group := ds[start:end]
		one, err := json.Marshal(group)
		if err != nil {
			return nil, fmt.Errorf("cluster: decision: %w", err)
		}
		if len(chunk) > 0 && size+len(one) > decisionBudget {
			msg, _ := json.Marshal(chunk)
			out = append(out, msg)
			chunk, size = nil, 0
		}
		chunk = append(chunk, group...)
		size += len(one)
		start = end
	}
	msg, err := json.Marshal(chunk)
	if err != nil {
		return nil, fmt.Errorf("cluster: decision: %w", err)
	}
	return append(out, msg), nil
}

// DecisionHandler receives each admitted decision, in arrival order, on
// one goroutine.
type DecisionHandler func(routing.Decision)

// ReceiveDecisions subscribes to this node's decisions. A decision that
// does not parse, is for another node or carries an older term than the
// fence has seen is dropped (and counted) before handle sees it.
func (c *Conn) ReceiveDecisions(fence *Fence, handle DecisionHandler) (stop func() error, err error) {
	return c.ReceiveDecisionBatches(fence, func(ds []routing.Decision) {
		for _, d := range ds {
			handle(d)
		}
	})
}

// ReceiveDecisionBatches is ReceiveDecisions that hands over each
// message's decisions together: the decisions of one command for this
// node, or a new leader's re-send of several.
func (c *Conn) ReceiveDecisionBatches(fence *Fence, handle func([]routing.Decision)) (stop func() error, err error) {
	sub, err := c.NC.Subscribe(c.Names.DecisionSubject(c.Node), func(m *nats.Msg) {
		ds, err := routing.ParseDecisions(m.Data)
		if err == nil && ds[0].Node != c.Node {
			err = fmt.Errorf("decision for node %q", ds[0].Node)
		}
		if err != nil {
			c.dropped(SubjectDecisions, m.Subject, err)
			return
		}
		if err := fence.Admit(ds[0].Term); err != nil {
			c.log.Info("cluster: refused a decision", "err", err, "kind", ds[0].Kind)
			return
		}
		handle(ds)
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: decisions: %w", err)
	}
	// The server knows the subscription once the flush returns: no
	// decision sent after ReceiveDecisions returns is missed.
	if err := c.NC.Flush(); err != nil {
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("cluster: decisions: %w", err)
	}
	return sub.Unsubscribe, nil
}
