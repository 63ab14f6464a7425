package playout

// Playlist walks a sequence of prompts frame by frame: what a stream
// plays, once or looped. The zero value plays nothing. It is not safe for
// concurrent use: the stream guards it with its send lock.
type Playlist struct {
	list          []*Prompt
	prompt, frame int
	active        bool
	loop          bool // start over at the end instead of finishing
}

// Start replaces the sequence with prompts, played back to back, over and
// over when loop is set. A looped sequence must hold some frames (Frames),
// or Next would look for one forever.
func (pb *Playlist) Start(prompts []*Prompt, loop bool) {
	clear(pb.list)
	pb.list = append(pb.list[:0], prompts...)
	pb.prompt, pb.frame, pb.active, pb.loop = 0, 0, true, loop
}

// Next returns the prompt and frame index to send next; ok is false when
// nothing is playing. finished is true, once, on the first call after the
// sequence ran out: the last frame has then had its 20 ms on the wire.
func (pb *Playlist) Next() (p *Prompt, i int, ok, finished bool) {
	for pb.prompt < len(pb.list) {
		p := pb.list[pb.prompt]
		if pb.frame < p.Frames() {
			i := pb.frame
			pb.frame++
			return p, i, true, false
		}
		pb.prompt, pb.frame = pb.prompt+1, 0
		if pb.loop && pb.prompt == len(pb.list) {
			pb.prompt = 0 // Start's caller made sure some prompt has frames
		}
	}
	if pb.active {
		pb.Reset()
		return nil, 0, false, true
	}
	return nil, 0, false, false
}

// Active reports whether a sequence is still playing.
func (pb *Playlist) Active() bool { return pb.active }

// Reset stops the sequence without finishing it.
func (pb *Playlist) Reset() {
	clear(pb.list)
	pb.list = pb.list[:0]
	pb.prompt, pb.frame, pb.active, pb.loop = 0, 0, false, false
}
