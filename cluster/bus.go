package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/hotline-oss/hotline/cluster/routing"
)

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
	cc, err := cons.Consume(c.onCommand(handle), jetstream.PullMaxMessages(pullBatch))
	if err != nil {
		return nil, fmt.Errorf("cluster: command consumer: %w", err)
	}
	return cc.Stop, nil
}

// pullBatch is how many commands a node asks the server for at a time.
// Each request is a message of its own, sent when half the batch has been
// read: at 5 000 a node asks once every 2 500 commands, so the requests
// cost a call about 0.005 messages instead of 0.05 with the client's
// default of 500, for a megabyte or two of commands buffered at most.
const pullBatch = 5000

// onCommand parses each delivered command and hands it over in order.
func (c *Conn) onCommand(handle func(seq uint64, cmd routing.Command, ok bool)) jetstream.MessageHandler {
	return func(m jetstream.Msg) {
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
	}
}

// dropped logs and counts a message that was not applied. The content is
// not logged: it may carry a caller's number.
func (c *Conn) dropped(kind, subject string, err error) {
	c.metrics.badMessage(kind)
	c.log.Warn("cluster: dropped a message that does not parse", "subject", subject, "err", err)
}
