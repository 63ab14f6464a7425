package rtpaudio

// This file holds a deliberately separate G.711 implementation: the phone
// judges the server's media engine, so it must not share that engine's codec.

const (
	// PayloadTypePCMU and PayloadTypePCMA are G.711's static payload types.
	PayloadTypePCMU uint8 = 0
	PayloadTypePCMA uint8 = 8

	ulawBias = 0x84  // 132: added before the segment search, per G.711
	ulawClip = 32635 // largest magnitude that survives adding the bias
)

// Decode tables are built once from the G.711 formulas; 256 entries each.
var (
	ulawToLinear = buildTable(decodeULaw)
	alawToLinear = buildTable(decodeALaw)
)

func buildTable(decode func(byte) int16) [256]int16 {
	var table [256]int16
	for i := range table {
		table[i] = decode(byte(i))
	}
	return table
}

// decodeULaw expands one µ-law byte to 16-bit linear PCM.
func decodeULaw(code byte) int16 {
	code = ^code
	exponent := (code >> 4) & 0x07
	mantissa := int32(code & 0x0F)
	magnitude := ((mantissa << 3) + ulawBias) << exponent
	if code&0x80 != 0 {
		return int16(ulawBias - magnitude)
	}
	return int16(magnitude - ulawBias)
}

// encodeULaw compresses one linear sample to µ-law.
func encodeULaw(sample int16) byte {
	value := int32(sample)
	var sign byte
	if value < 0 {
		sign = 0x80
		value = -value
	}
	if value > ulawClip {
		value = ulawClip
	}
	value += ulawBias
	exponent := byte(7)
	for mask := int32(0x4000); value&mask == 0 && exponent > 0; mask >>= 1 {
		exponent--
	}
	mantissa := byte(value>>(exponent+3)) & 0x0F
	return ^(sign | exponent<<4 | mantissa)
}

// decodeALaw expands one A-law byte to 16-bit linear PCM.
func decodeALaw(code byte) int16 {
	code ^= 0x55
	segment := (code >> 4) & 0x07
	magnitude := int32(code&0x0F)<<4 + 8
	if segment > 0 {
		magnitude = (magnitude + 0x100) << (segment - 1)
	}
	if code&0x80 != 0 {
		return int16(magnitude)
	}
	return int16(-magnitude)
}

// encodeALaw compresses one linear sample to A-law.
func encodeALaw(sample int16) byte {
	value := int32(sample) >> 3 // A-law works on 13-bit magnitudes
	mask := byte(0xD5)          // positive: sign bit set, even bits inverted
	if value < 0 {
		mask = 0x55
		value = -value - 1
	}
	segment := byte(0)
	for limit := int32(0x1F); value > limit && segment < 8; limit = limit<<1 | 1 {
		segment++
	}
	if segment >= 8 {
		return 0x7F ^ mask
	}
	code := segment << 4
	if segment < 2 {
		code |= byte(value>>1) & 0x0F
	} else {
		code |= byte(value>>segment) & 0x0F
	}
	return code ^ mask
}

// Decoder returns the decode table for a static G.711 payload type, or
// nil when the payload type is not G.711 (its energy cannot be judged).
func Decoder(payloadType uint8) *[256]int16 {
	switch payloadType {
	case PayloadTypePCMU:
		return &ulawToLinear
	case PayloadTypePCMA:
		return &alawToLinear
	}
	return nil
}

// Encoder returns the encoder for a static G.711 payload type.
func Encoder(payloadType uint8) func(int16) byte {
	if payloadType == PayloadTypePCMA {
		return encodeALaw
	}
	return encodeULaw
}

// silenceByte is the code whose decoded value is closest to zero.
func silenceByte(payloadType uint8) byte {
	if payloadType == PayloadTypePCMA {
		return 0xD5
	}
	return 0xFF
}
