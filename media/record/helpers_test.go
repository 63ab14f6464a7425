package record

import "time"

const ms = time.Millisecond
