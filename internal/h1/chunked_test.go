package h1

import (
	"bytes"
	"strings"
	"testing"
)

// chunkedSample is a body with extensions, a multi-digit size, upper-case
// hex and trailers, followed by the start of the next message.
const chunkedSample = "5\r\nhello\r\n" +
	"1A;name=value;q=\"quoted ext\"\r\n" + "abcdefghijklmnopqrstuvwxyz\r\n" +
	"001\r\n!\r\n" +
	"0\r\nX-Checksum: abc\r\nX-Other:\tv \r\n\r\n"

const afterBody = "GET /next HTTP/1.1\r\n\r\n"

// scanAll feeds in to a fresh scanner in pieces of at most step bytes.
func scanAll(in []byte, step int) (consumed int, done bool, err error) {
	var s ChunkedScanner
	for len(in) > 0 {
		k := min(step, len(in))
		n, d, e := s.Scan(in[:k])
		consumed += n
		if e != nil || d {
			return consumed, d, e
		}
		if n != k {
			return consumed, false, nil // cannot happen: n < k only on done or error
		}
		in = in[k:]
	}
	return consumed, s.Done(), nil
}

func TestChunkedValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty body", "0\r\n\r\n"},
		{"one chunk", "3\r\nabc\r\n0\r\n\r\n"},
		{"sample", chunkedSample},
		{"extension on last chunk", "0;x\r\n\r\n"},
		{"empty extension value", "1;a=\r\nx\r\n0\r\n\r\n"},
		{"16 hex digits", "0000000000000001\r\nx\r\n0\r\n\r\n"},
		{"data with CRLF inside", "4\r\n\r\n\r\n\r\n0\r\n\r\n"},
		{"trailer empty value", "0\r\nX:\r\n\r\n"},
		{"100 trailers", "0\r\n" + strings.Repeat("T: v\r\n", 100) + "\r\n"},
		{"size line at limit", "1;" + strings.Repeat("e", maxChunkLine-2) + "\r\nx\r\n0\r\n\r\n"},
	}
	for _, tt := range tests {
		for _, step := range []int{1, 2, 3, 7, 1 << 20} {
			in := []byte(tt.in + afterBody)
			n, done, err := scanAll(in, step)
			if err != nil || !done || n != len(tt.in) {
				t.Errorf("%s, step %d: got n=%d done=%v err=%v, want n=%d done=true err=nil", tt.name, step, n, done, err, len(tt.in))
			}
		}
	}
}

// TestChunkedSplits feeds the sample in two pieces, split at every offset,
// and checks that the result does not depend on the split.
func TestChunkedSplits(t *testing.T) {
	in := []byte(chunkedSample + afterBody)
	for cut := 0; cut <= len(in); cut++ {
		var s ChunkedScanner
		n1, done, err := s.Scan(in[:cut])
		if err != nil {
			t.Fatalf("cut %d: first Scan: %v", cut, err)
		}
		total := n1
		if !done {
			if n1 != cut {
				t.Fatalf("cut %d: first Scan consumed %d of %d without ending", cut, n1, cut)
			}
			n2, done2, err := s.Scan(in[cut:])
			if err != nil || !done2 {
				t.Fatalf("cut %d: second Scan = %d, %v, %v", cut, n2, done2, err)
			}
			total += n2
		}
		if total != len(chunkedSample) {
			t.Errorf("cut %d: consumed %d, want %d", cut, total, len(chunkedSample))
		}
	}
}

func TestChunkedIncomplete(t *testing.T) {
	for i := 0; i < len(chunkedSample); i++ {
		n, done, err := scanAll([]byte(chunkedSample[:i]), 1<<20)
		if err != nil || done || n != i {
			t.Errorf("prefix %d: got n=%d done=%v err=%v, want all consumed, not done", i, n, done, err)
		}
	}
}

func TestChunkedInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want rule
		at   int // offset of the offending byte
	}{
		{"empty size", "\r\n", ruleChunkSize, 0},
		{"non-hex size", "g\r\n", ruleChunkSize, 0},
		{"negative size", "-1\r\n", ruleChunkSize, 0},
		{"0x prefix", "0x1\r\n", ruleChunkSize, 1},
		{"space before size", " 1\r\n", ruleChunkSize, 0},
		{"space after size", "1 \r\nx\r\n", ruleChunkSize, 1},
		{"space before extension", "1 ;x\r\n", ruleChunkSize, 1},
		{"bare LF after size", "1\nx\r\n", ruleBareLF, 1},
		{"bare CR after size", "1\rx\r\n", ruleBareCR, 2},
		{"bare LF in extension", "1;x\n", ruleBareLF, 3},
		{"CTL in extension", "1;\x01\r\n", ruleChunkExtChar, 2},
		{"17 hex digits", "00000000000000001\r\n", ruleChunkSizeOverflow, 16},
		{"size overflow", "8000000000000000\r\n", ruleChunkSizeOverflow, 15},
		{"size line too long", "1;" + strings.Repeat("e", maxChunkLine-1) + "\r\n", ruleChunkLineTooLong, maxChunkLine},
		{"data without CRLF", "1\r\nxy\r\n", ruleChunkDataCRLF, 4},
		{"data with bare LF", "1\r\nx\n0\r\n\r\n", ruleChunkDataCRLF, 4},
		{"data CR then junk", "1\r\nx\rx", ruleChunkDataCRLF, 5},
		{"last chunk bare LF", "0\n\r\n", ruleBareLF, 1},
		{"final bare LF", "0\r\n\n", ruleBareLF, 3},
		{"final bare CR", "0\r\n\rx", ruleBareCR, 4},
		{"trailer bare LF", "0\r\nX: y\n\r\n", ruleBareLF, 7},
		{"trailer obs-fold", "0\r\nX: y\r\n z\r\n\r\n", ruleObsFold, 9},
		{"trailer leading whitespace", "0\r\n X: y\r\n\r\n", ruleLeadingWhitespace, 3},
		{"trailer empty name", "0\r\n: y\r\n\r\n", ruleFieldNameEmpty, 3},
		{"trailer space before colon", "0\r\nX : y\r\n\r\n", ruleFieldNameSpace, 4},
		{"trailer no colon", "0\r\nXy\r\n\r\n", ruleFieldNoColon, 5},
		{"trailer bad name", "0\r\nX\"y: z\r\n\r\n", ruleFieldNameChar, 4},
		{"trailer NUL", "0\r\nX: \x00\r\n\r\n", ruleFieldValueNUL, 6},
		{"trailer CTL", "0\r\nX: \x7f\r\n\r\n", ruleFieldValueChar, 6},
		{"101 trailers", "0\r\n" + strings.Repeat("T: v\r\n", 101) + "\r\n", ruleTooManyFields, 3 + 100*6},
		{"trailers too large", "0\r\nT: " + strings.Repeat("v", MaxHeadLen), ruleTrailerTooLarge, 3 + MaxHeadLen},
	}
	for _, tt := range tests {
		for _, step := range []int{1, 1 << 20} {
			var s ChunkedScanner
			in := []byte(tt.in)
			total := 0
			var err error
			for len(in) > 0 && err == nil {
				k := min(step, len(in))
				var n int
				n, _, err = s.Scan(in[:k])
				total += n
				in = in[k:]
			}
			if got := ruleOf(err); got != tt.want {
				t.Errorf("%s, step %d: err = %s, want %q", tt.name, step, errName(err), ruleMsgs[tt.want])
				continue
			}
			if total != tt.at {
				t.Errorf("%s, step %d: consumed %d before the error, want %d", tt.name, step, total, tt.at)
			}
			// The error is sticky.
			if n, done, err2 := s.Scan([]byte("0\r\n\r\n")); n != 0 || done || err2 != err {
				t.Errorf("%s: Scan after error = %d, %v, %v, want 0, false, %v", tt.name, n, done, err2, err)
			}
		}
	}
}

func TestChunkedDoneIsSticky(t *testing.T) {
	var s ChunkedScanner
	if n, done, err := s.Scan([]byte("0\r\n\r\nxyz")); n != 5 || !done || err != nil {
		t.Fatalf("Scan = %d, %v, %v, want 5, true, nil", n, done, err)
	}
	if n, done, err := s.Scan([]byte("xyz")); n != 0 || !done || err != nil {
		t.Errorf("Scan after done = %d, %v, %v, want 0, true, nil", n, done, err)
	}
	s.Reset()
	if s.Done() {
		t.Error("Done() after Reset")
	}
}

// TestChunkedLarge scans a 64 KiB body made of 4 KiB chunks.
func TestChunkedLarge(t *testing.T) {
	body := chunkedBody(64<<10, 4<<10)
	n, done, err := scanAll(body, 1500)
	if err != nil || !done || n != len(body) {
		t.Fatalf("got %d, %v, %v, want %d, true, nil", n, done, err, len(body))
	}
}

// chunkedBody returns a chunked body carrying size bytes in chunks of at
// most chunk bytes.
func chunkedBody(size, chunk int) []byte {
	var b bytes.Buffer
	data := bytes.Repeat([]byte("0123456789abcdef"), chunk/16+1)[:chunk]
	for size > 0 {
		k := min(chunk, size)
		b.WriteString(strings.ToLower(strconvHex(k)))
		b.WriteString("\r\n")
		b.Write(data[:k])
		b.WriteString("\r\n")
		size -= k
	}
	b.WriteString("0\r\n\r\n")
	return b.Bytes()
}

func strconvHex(n int) string {
	const digits = "0123456789abcdef"
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n >>= 4 {
		b = append([]byte{digits[n&15]}, b...)
	}
	return string(b)
}
