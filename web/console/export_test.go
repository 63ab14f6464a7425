package console

// Snapshot is one update of the stream, for the benchmark.
func (c *Console) Snapshot() any { return c.snapshot() }
