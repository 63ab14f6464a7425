package wav

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// WAV errors. ErrUnsupported is a well-formed file in a format the
// engine does not play; ErrInvalid is a file that is not RIFF/WAVE or is
// cut short in its headers.
var (
	ErrUnsupported = errors.New("media: unsupported WAV")
	ErrInvalid     = errors.New("media: invalid WAV")
)

// WAVE format tags (the "fmt " chunk's first field).
const (
	FormatPCM           = 1
	wavFormatAlaw       = 6
	wavFormatUlaw       = 7
	wavFormatExtensible = 0xFFFE
)

// maxWAVData bounds the sample data we are willing to hold in memory: one
// hour of 8 kHz stereo 16-bit audio is far beyond any prompt.
const maxWAVData = 1 << 28

type wavFormat struct {
	tag           uint16
	channels      int
	sampleRate    int
	bitsPerSample int
}

// Decode reads a RIFF/WAVE file and returns mono 16-bit samples: 16-bit
// PCM, 8-bit A-law (format 6) or 8-bit µ-law (format 7), mono or stereo
// (stereo is averaged to mono). Unknown chunks such as LIST are skipped.
// A data chunk that claims more bytes than the file holds is accepted up
// to the last whole sample frame, because streaming recorders often leave
// the size unset.
func Decode(r io.Reader) (pcm []int16, sampleRate int, err error) {
	br := bufio.NewReader(r)
	if err := readRIFFHeader(br); err != nil {
		return nil, 0, err
	}
	var format *wavFormat
	for {
		id, size, err := readChunkHeader(br)
		if err != nil {
			return nil, 0, err
		}
		switch id {
		case "fmt ":
			f, err := readFormatChunk(br, size)
			if err != nil {
				return nil, 0, err
			}
			format = &f
		case "data":
			if format == nil {
				return nil, 0, fmt.Errorf("%w: data chunk before fmt chunk", ErrInvalid)
			}
			pcm, err := readSamples(br, size, *format)
			return pcm, format.sampleRate, err
		default:
			if err := skipChunk(br, size); err != nil {
				return nil, 0, fmt.Errorf("%w: chunk %q: %v", ErrInvalid, id, err)
			}
		}
	}
}

func readRIFFHeader(r io.Reader) error {
	var header [12]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return fmt.Errorf("%w: RIFF header: %v", ErrInvalid, err)
	}
	if string(header[0:4]) != "RIFF" || string(header[8:12]) != "WAVE" {
		return fmt.Errorf("%w: not a RIFF/WAVE file", ErrInvalid)
	}
	return nil
}

func readChunkHeader(r io.Reader) (id string, size uint32, err error) {
	var header [8]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return "", 0, fmt.Errorf("%w: no data chunk", ErrInvalid)
		}
		return "", 0, fmt.Errorf("%w: chunk header: %v", ErrInvalid, err)
	}
	return string(header[0:4]), binary.LittleEndian.Uint32(header[4:8]), nil
}

// skipChunk discards a chunk body and its pad byte: RIFF chunks start on
// even offsets, so an odd-sized body is followed by one filler byte.
func skipChunk(r io.Reader, size uint32) error {
	n := int64(size) + int64(size&1)
	if _, err := io.CopyN(io.Discard, r, n); err != nil {
		return err
	}
	return nil
}

func readFormatChunk(r io.Reader, size uint32) (wavFormat, error) {
	if size < 16 || size > 1024 {
		return wavFormat{}, fmt.Errorf("%w: fmt chunk of %d bytes", ErrInvalid, size)
	}
	body := make([]byte, size+size&1)
	if _, err := io.ReadFull(r, body); err != nil {
		return wavFormat{}, fmt.Errorf("%w: fmt chunk: %v", ErrInvalid, err)
	}
	f := wavFormat{
		tag:           binary.LittleEndian.Uint16(body[0:2]),
		channels:      int(binary.LittleEndian.Uint16(body[2:4])),
		sampleRate:    int(binary.LittleEndian.Uint32(body[4:8])),
		bitsPerSample: int(binary.LittleEndian.Uint16(body[14:16])),
	}
	// WAVE_FORMAT_EXTENSIBLE carries the real format in the first two
	// bytes of its sub-format GUID (offset 24 of the chunk).
	if f.tag == wavFormatExtensible && size >= 26 {
		f.tag = binary.LittleEndian.Uint16(body[24:26])
	}
	return f, validateFormat(f)
}

func validateFormat(f wavFormat) error {
	switch {
	case f.channels != 1 && f.channels != 2:
		return fmt.Errorf("%w: %d channels (want 1 or 2)", ErrUnsupported, f.channels)
	case f.sampleRate <= 0:
		return fmt.Errorf("%w: sample rate %d", ErrUnsupported, f.sampleRate)
	}
	switch f.tag {
	case FormatPCM:
		if f.bitsPerSample != 16 {
			return fmt.Errorf("%w: %d-bit PCM (want 16-bit)", ErrUnsupported, f.bitsPerSample)
		}
	case wavFormatAlaw, wavFormatUlaw:
		if f.bitsPerSample != 8 {
			return fmt.Errorf("%w: %d-bit G.711 (want 8-bit)", ErrUnsupported, f.bitsPerSample)
		}
	default:
		return fmt.Errorf("%w: format tag %#04x (want PCM, A-law or µ-law)", ErrUnsupported, f.tag)
	}
	return nil
}

func readSamples(r io.Reader, size uint32, f wavFormat) ([]int16, error) {
	if size > maxWAVData {
		size = maxWAVData
	}
	raw, err := io.ReadAll(io.LimitReader(r, int64(size)))
	if err != nil {
		return nil, fmt.Errorf("%w: data chunk: %v", ErrInvalid, err)
	}
	bytesPerSample := f.bitsPerSample / 8
	frameSize := bytesPerSample * f.channels
	frames := len(raw) / frameSize
	pcm := make([]int16, frames)
	for i := range pcm {
		frame := raw[i*frameSize : (i+1)*frameSize]
		sum := 0
		for ch := range f.channels {
			sum += int(decodeWAVSample(f.tag, frame[ch*bytesPerSample:]))
		}
		pcm[i] = int16(sum / f.channels)
	}
	return pcm, nil
}

func decodeWAVSample(tag uint16, b []byte) int16 {
	switch tag {
	case wavFormatAlaw:
		return rtpcodec.AlawToLinear(b[0])
	case wavFormatUlaw:
		return rtpcodec.UlawToLinear(b[0])
	default:
		return int16(binary.LittleEndian.Uint16(b))
	}
}

// Encode writes 16-bit PCM samples as a canonical 44-byte-header WAV
// file. With two channels pcm holds interleaved left/right samples.
func Encode(w io.Writer, pcm []int16, sampleRate, channels int) error {
	if channels != 1 && channels != 2 {
		return fmt.Errorf("media: encode WAV: %d channels (want 1 or 2)", channels)
	}
	if sampleRate <= 0 {
		return fmt.Errorf("media: encode WAV: sample rate %d", sampleRate)
	}
	if len(pcm)%channels != 0 {
		return fmt.Errorf("media: encode WAV: %d samples do not fill %d channels", len(pcm), channels)
	}
	dataSize := len(pcm) * 2
	if dataSize > maxWAVData {
		return fmt.Errorf("media: encode WAV: %d bytes of samples is too long", dataSize)
	}
	buf := make([]byte, 44+dataSize)
	copy(buf[0:4], "RIFF")
	binary.LittleEndian.PutUint32(buf[4:8], uint32(36+dataSize))
	copy(buf[8:16], "WAVEfmt ")
	binary.LittleEndian.PutUint32(buf[16:20], 16)
	binary.LittleEndian.PutUint16(buf[20:22], FormatPCM)
	binary.LittleEndian.PutUint16(buf[22:24], uint16(channels))
	binary.LittleEndian.PutUint32(buf[24:28], uint32(sampleRate))
	binary.LittleEndian.PutUint32(buf[28:32], uint32(sampleRate*channels*2))
	binary.LittleEndian.PutUint16(buf[32:34], uint16(channels*2))
	binary.LittleEndian.PutUint16(buf[34:36], 16)
	copy(buf[36:40], "data")
	binary.LittleEndian.PutUint32(buf[40:44], uint32(dataSize))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(buf[44+2*i:], uint16(s))
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("media: encode WAV: %w", err)
	}
	return nil
}
