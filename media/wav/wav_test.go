package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// wavBuilder assembles RIFF files chunk by chunk so tests can produce the
// odd layouts real tools write.
type wavBuilder struct{ chunks bytes.Buffer }

func (b *wavBuilder) chunk(id string, body []byte) *wavBuilder {
	b.chunks.WriteString(id)
	_ = binary.Write(&b.chunks, binary.LittleEndian, uint32(len(body)))
	b.chunks.Write(body)
	if len(body)%2 == 1 {
		b.chunks.WriteByte(0)
	}
	return b
}

func (b *wavBuilder) fmtChunk(tag uint16, channels, rate, bits int) *wavBuilder {
	body := make([]byte, 16)
	binary.LittleEndian.PutUint16(body[0:], tag)
	binary.LittleEndian.PutUint16(body[2:], uint16(channels))
	binary.LittleEndian.PutUint32(body[4:], uint32(rate))
	binary.LittleEndian.PutUint32(body[8:], uint32(rate*channels*bits/8))
	binary.LittleEndian.PutUint16(body[12:], uint16(channels*bits/8))
	binary.LittleEndian.PutUint16(body[14:], uint16(bits))
	return b.chunk("fmt ", body)
}

func (b *wavBuilder) bytes() []byte {
	var out bytes.Buffer
	out.WriteString("RIFF")
	_ = binary.Write(&out, binary.LittleEndian, uint32(4+b.chunks.Len()))
	out.WriteString("WAVE")
	out.Write(b.chunks.Bytes())
	return out.Bytes()
}

func pcmBytes(samples ...int16) []byte {
	out := make([]byte, 2*len(samples))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(out[2*i:], uint16(s))
	}
	return out
}

func TestWAVRoundTripMono(t *testing.T) {
	in := []int16{0, 1, -1, 32767, -32768, 1234}
	var buf bytes.Buffer
	if err := Encode(&buf, in, 8000, 1); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 44+2*len(in) {
		t.Fatalf("encoded %d bytes, want %d", buf.Len(), 44+2*len(in))
	}
	out, rate, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if rate != 8000 || !slices.Equal(in, out) {
		t.Fatalf("got rate %d samples %v", rate, out)
	}
}

func TestWAVStereoIsDownmixed(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, []int16{100, 300, -1000, 1000, 32767, 32767}, 16000, 2); err != nil {
		t.Fatal(err)
	}
	out, rate, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if rate != 16000 || !slices.Equal(out, []int16{200, 0, 32767}) {
		t.Fatalf("got rate %d samples %v", rate, out)
	}
}

func TestWAVG711Formats(t *testing.T) {
	codes := []byte{0xFF, 0x80, 0x00, 0x7E, 0xD5}
	ulaw := new(wavBuilder).fmtChunk(wavFormatUlaw, 1, 8000, 8).chunk("data", codes).bytes()
	out, _, err := Decode(bytes.NewReader(ulaw))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range codes {
		if out[i] != rtpcodec.UlawToLinear(c) {
			t.Errorf("µ-law sample %d = %d, want %d", i, out[i], rtpcodec.UlawToLinear(c))
		}
	}
	alaw := new(wavBuilder).fmtChunk(wavFormatAlaw, 1, 8000, 8).chunk("data", codes).bytes()
	out, _, err = Decode(bytes.NewReader(alaw))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range codes {
		if out[i] != rtpcodec.AlawToLinear(c) {
			t.Errorf("A-law sample %d = %d, want %d", i, out[i], rtpcodec.AlawToLinear(c))
		}
	}
}

func TestWAVToleratesExtraChunksAndPadding(t *testing.T) {
	file := new(wavBuilder).
		chunk("LIST", []byte("INFOISFT\x05\x00\x00\x00tool\x00")). // odd size: padded
		fmtChunk(FormatPCM, 1, 8000, 16).
		chunk("fact", []byte{1, 2, 3}). // odd size again
		chunk("data", pcmBytes(7, -7, 700)).
		chunk("LIST", []byte("trailing")).
		bytes()
	out, rate, err := Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if rate != 8000 || !slices.Equal(out, []int16{7, -7, 700}) {
		t.Fatalf("got rate %d samples %v", rate, out)
	}
}

func TestWAVExtensiblePCM(t *testing.T) {
	body := make([]byte, 40)
	binary.LittleEndian.PutUint16(body[0:], wavFormatExtensible)
	binary.LittleEndian.PutUint16(body[2:], 1)
	binary.LittleEndian.PutUint32(body[4:], 8000)
	binary.LittleEndian.PutUint16(body[14:], 16)
	binary.LittleEndian.PutUint16(body[16:], 22)
	binary.LittleEndian.PutUint16(body[24:], FormatPCM)
	file := new(wavBuilder).chunk("fmt ", body).chunk("data", pcmBytes(5)).bytes()
	out, _, err := Decode(bytes.NewReader(file))
	if err != nil || !slices.Equal(out, []int16{5}) {
		t.Fatalf("got %v, %v", out, err)
	}
}

func TestWAVTruncatedDataIsAccepted(t *testing.T) {
	file := new(wavBuilder).fmtChunk(FormatPCM, 1, 8000, 16).chunk("data", pcmBytes(1, 2, 3)).bytes()
	// Claim far more data than present, and cut the last sample in half.
	binary.LittleEndian.PutUint32(file[40:], 0xFFFFFFFF)
	file = file[:len(file)-1]
	out, _, err := Decode(bytes.NewReader(file))
	if err != nil || !slices.Equal(out, []int16{1, 2}) {
		t.Fatalf("got %v, %v", out, err)
	}
}

func TestWAVErrors(t *testing.T) {
	cases := []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, ErrInvalid},
		{"not riff", []byte("RIFX\x00\x00\x00\x00WAVEfmt "), ErrInvalid},
		{"no data", new(wavBuilder).fmtChunk(FormatPCM, 1, 8000, 16).bytes(), ErrInvalid},
		{"data first", new(wavBuilder).chunk("data", pcmBytes(1)).fmtChunk(FormatPCM, 1, 8000, 16).bytes(), ErrInvalid},
		{"short fmt", new(wavBuilder).chunk("fmt ", []byte{1, 0}).bytes(), ErrInvalid},
		{"8-bit pcm", new(wavBuilder).fmtChunk(FormatPCM, 1, 8000, 8).chunk("data", []byte{1}).bytes(), ErrUnsupported},
		{"24-bit pcm", new(wavBuilder).fmtChunk(FormatPCM, 1, 8000, 24).chunk("data", []byte{1, 2, 3}).bytes(), ErrUnsupported},
		{"float", new(wavBuilder).fmtChunk(3, 1, 8000, 32).chunk("data", []byte{1, 2, 3, 4}).bytes(), ErrUnsupported},
		{"3 channels", new(wavBuilder).fmtChunk(FormatPCM, 3, 8000, 16).chunk("data", pcmBytes(1, 2, 3)).bytes(), ErrUnsupported},
		{"16-bit ulaw", new(wavBuilder).fmtChunk(wavFormatUlaw, 1, 8000, 16).chunk("data", pcmBytes(1)).bytes(), ErrUnsupported},
		{"zero rate", new(wavBuilder).fmtChunk(FormatPCM, 1, 0, 16).chunk("data", pcmBytes(1)).bytes(), ErrUnsupported},
		{"truncated chunk", new(wavBuilder).chunk("LIST", make([]byte, 10)).bytes()[:20], ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Decode(bytes.NewReader(tc.file))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestEncodeWAVRejectsBadArguments(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, []int16{1, 2, 3}, 8000, 2); err == nil {
		t.Error("odd sample count for stereo accepted")
	}
	if err := Encode(&buf, nil, 8000, 3); err == nil {
		t.Error("3 channels accepted")
	}
	if err := Encode(&buf, nil, 0, 1); err == nil {
		t.Error("zero sample rate accepted")
	}
	if buf.Len() != 0 {
		t.Error("failed encodes wrote output")
	}
}
