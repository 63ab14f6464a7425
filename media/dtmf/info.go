package dtmf

import (
	"fmt"
	"mime"
	"strconv"
	"strings"
)

// maxINFOBody bounds what ParseINFO looks at; real bodies are a few dozen
// bytes.
const maxINFOBody = 1024

// ParseINFO extracts the key from a SIP INFO DTMF body:
//
//   - application/dtmf-relay: "Signal=5\r\nDuration=160"; keys are matched
//     case-insensitively and spaces around '=' are allowed.
//   - application/dtmf: the body is the key itself.
//
// The key may be a character (0-9 * # A-D, any case) or, as several phones
// send, the RFC 4733 event number (10 = '*', 11 = '#', 12-15 = A-D).
// Any other content type is ErrUnsupportedINFO; a body without a usable
// key is ErrInvalidDTMF.
func ParseINFO(contentType string, body []byte) (rune, error) {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return 0, fmt.Errorf("%w: content type %q", ErrUnsupportedINFO, contentType)
	}
	if len(body) > maxINFOBody {
		return 0, fmt.Errorf("%w: %d-byte INFO body", ErrInvalid, len(body))
	}
	switch mediaType {
	case "application/dtmf-relay":
		return parseDTMFRelay(string(body))
	case "application/dtmf":
		return parseSignal(strings.TrimSpace(string(body)))
	default:
		return 0, fmt.Errorf("%w: content type %q", ErrUnsupportedINFO, mediaType)
	}
}

func parseDTMFRelay(body string) (rune, error) {
	for line := range strings.SplitSeq(body, "\n") {
		key, value, found := strings.Cut(line, "=")
		if found && strings.EqualFold(strings.TrimSpace(key), "signal") {
			return parseSignal(strings.TrimSpace(value))
		}
	}
	return 0, fmt.Errorf("%w: dtmf-relay body has no Signal line", ErrInvalid)
}

func parseSignal(value string) (rune, error) {
	if len(value) == 1 {
		if event, ok := EventForDigit(rune(value[0])); ok {
			digit, _ := DigitForEvent(event)
			return digit, nil
		}
	}
	if n, err := strconv.ParseUint(value, 10, 8); err == nil {
		if digit, ok := DigitForEvent(uint8(n)); ok {
			return digit, nil
		}
	}
	return 0, fmt.Errorf("%w: signal %q", ErrInvalid, value)
}
