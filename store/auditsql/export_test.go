package auditsql

// MaxSourceLen is where a source address is cut.
const MaxSourceLen = maxSourceLen
