package notify

import (
	"errors"
	"fmt"
	"unicode/utf16"
)

// Lengths of a Chinese SMS in UCS-2 (data_coding 8). They are counted in
// UTF-16 code units, not characters: a character outside the Basic
// Multilingual Plane (a rare name character such as 𠮷, an emoji) takes two
// units, and a part must never end in the middle of such a pair.
const (
	// DataCodingUCS2 is SMPP's data_coding for UCS-2.
	DataCodingUCS2 = 8
	// SingleUnits is what one unsplit message holds (140 octets).
	SingleUnits = 70
	// PartUnits is what one part of a concatenated message holds: 140
	// octets less the 6-octet concatenation header.
	PartUnits = 67
	// MaxUnits is the longest message we agree to send (signature
	// included); a longer one is refused before it is queued.
	MaxUnits = 500
	// MaxParts is the most parts the 8-bit concatenation header allows.
	MaxParts = 255
)

// ErrTooLong is returned by Split for a message over the maximum length.
var ErrTooLong = errors.New("sms: message too long")

// Part is one short message of a (possibly concatenated) SMS.
type Part struct {
	// Seq is the part's number, 1-based; Total the number of parts.
	Seq, Total int
	// Ref is the concatenation reference shared by all parts of a message.
	Ref byte
	// UDH is the user data header (empty for a single-part message).
	UDH []byte
	// Payload is the text in UCS-2, big endian.
	Payload []byte
}

// ShortMessage returns the octets of the short_message field: the header
// followed by the payload.
func (p Part) ShortMessage() []byte {
	out := make([]byte, 0, len(p.UDH)+len(p.Payload))
	out = append(out, p.UDH...)
	return append(out, p.Payload...)
}

// Units returns the length of s in UTF-16 code units.
func Units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // invalid UTF-8 ranges as U+FFFD, one unit
	}
	return n
}

// PartsNeeded returns how many parts the text takes (0 for empty text).
func PartsNeeded(text string) int {
	u := utf16.Encode([]rune(text))
	if len(u) == 0 {
		return 0
	}
	if len(u) <= SingleUnits {
		return 1
	}
	return len(chunks(u))
}

// Split encodes text as UCS-2 and cuts it into parts. ref is the
// concatenation reference; maxUnits (0 means MaxUnits) the longest text
// accepted, counted in UTF-16 units with the signature included.
func Split(text string, ref byte, maxUnits int) ([]Part, error) {
	if maxUnits <= 0 {
		maxUnits = MaxUnits
	}
	u := utf16.Encode([]rune(text))
	if len(u) == 0 {
		return nil, errors.New("sms: empty message")
	}
	if len(u) > maxUnits {
		return nil, fmt.Errorf("%w: %d units, at most %d", ErrTooLong, len(u), maxUnits)
	}
	if len(u) <= SingleUnits {
		return []Part{{Seq: 1, Total: 1, Payload: ucs2(u)}}, nil
	}
	cs := chunks(u)
	if len(cs) > MaxParts {
		return nil, fmt.Errorf("%w: %d parts", ErrTooLong, len(cs))
	}
	parts := make([]Part, len(cs))
	for i, c := range cs {
		parts[i] = Part{
			Seq: i + 1, Total: len(cs), Ref: ref,
			// IEI 0x00: concatenated short messages, 8-bit reference.
			UDH:     []byte{0x05, 0x00, 0x03, ref, byte(len(cs)), byte(i + 1)},
			Payload: ucs2(c),
		}
	}
	return parts, nil
}

// chunks cuts UTF-16 units into parts of at most PartUnits, never between
// the two halves of a surrogate pair.
func chunks(u []uint16) [][]uint16 {
	var out [][]uint16
	for len(u) > 0 {
		n := PartUnits
		if n >= len(u) {
			n = len(u)
		} else if utf16.IsSurrogate(rune(u[n-1])) && u[n-1] < 0xDC00 {
			n-- // high surrogate at the end: its pair goes to the next part
		}
		out = append(out, u[:n])
		u = u[n:]
	}
	return out
}

func ucs2(u []uint16) []byte {
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i] = byte(c >> 8)
		b[2*i+1] = byte(c)
	}
	return b
}

// hasConcatHeader reports whether sm starts with an 8-bit concatenation
// header whose part number lies within its total.
func hasConcatHeader(sm []byte) bool {
	return len(sm) >= 6 && sm[0] == 0x05 && sm[1] == 0x00 && sm[2] == 0x03 && sm[4] > 0 && sm[5] >= 1 && sm[5] <= sm[4]
}

// DecodeUCS2 turns UCS-2/UTF-16 big-endian octets back into text.
func DecodeUCS2(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

// Reassemble joins the short_message octets of the parts of one message,
// in any order, back into its text; it checks the concatenation headers.
// A single part is a whole message unless it starts with a complete
// concatenation header (05 00 03 ref total seq): the octets carry no UDHI
// flag (esm_class does), and a text may begin with U+05xx (found by
// FuzzSplitReassemble: "Ս" is 05 55).
func Reassemble(shortMessages [][]byte) (string, error) {
	if len(shortMessages) == 1 && !hasConcatHeader(shortMessages[0]) {
		return DecodeUCS2(shortMessages[0]), nil
	}
	byPart := map[int][]byte{}
	total, ref := 0, -1
	for _, sm := range shortMessages {
		if len(sm) < 6 || sm[0] != 0x05 || sm[1] != 0x00 || sm[2] != 0x03 {
			return "", errors.New("sms: part without a concatenation header")
		}
		if ref >= 0 && int(sm[3]) != ref || total > 0 && int(sm[4]) != total {
			return "", errors.New("sms: parts of different messages")
		}
		ref, total = int(sm[3]), int(sm[4])
		if _, dup := byPart[int(sm[5])]; dup {
			return "", fmt.Errorf("sms: part %d twice", sm[5])
		}
		byPart[int(sm[5])] = sm[6:]
	}
	if len(byPart) != total {
		return "", fmt.Errorf("sms: %d of %d parts", len(byPart), total)
	}
	var all []byte
	for i := 1; i <= total; i++ {
		p, ok := byPart[i]
		if !ok {
			return "", fmt.Errorf("sms: part %d missing", i)
		}
		all = append(all, p...)
	}
	return DecodeUCS2(all), nil
}
