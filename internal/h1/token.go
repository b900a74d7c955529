package h1

// Byte classes used by the parsers, one bit per class, looked up in a
// 256-entry table so that every loop is a load and a test per byte.
const (
	// cToken: tchar, RFC 9110 §5.6.2.
	cToken = 1 << iota
	// cValue: field-vchar, SP or HTAB (RFC 9110 §5.5): VCHAR, obs-text,
	// SP and HTAB; no other CTL and no DEL.
	cValue
	// cTarget: bytes allowed in a request-target. RFC 9112 §3.2 forbids
	// whitespace and CTLs; non-ASCII bytes are not URI characters (RFC 3986
	// §2) and HAProxy 2.6 rejects them too. '#' is excluded: a fragment is
	// never sent (RFC 9112 §3.2).
	cTarget
	// cRegName: unreserved / sub-delims (RFC 3986 §3.2.2), the characters
	// of a host name. pct-encoded hosts are not accepted.
	cRegName
	// cHex: HEXDIG.
	cHex
	// cDigit: DIGIT.
	cDigit
	// cScheme: ALPHA / DIGIT / "+" / "-" / "." (RFC 3986 §3.1).
	cScheme
)

var class = makeClass()

func makeClass() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		alpha := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
		digit := '0' <= b && b <= '9'
		if alpha || digit || isByteIn(b, "!#$%&'*+-.^_`|~") {
			t[c] |= cToken
		}
		if b == ' ' || b == '\t' || 0x21 <= b && b <= 0x7e || b >= 0x80 {
			t[c] |= cValue
		}
		if 0x21 <= b && b <= 0x7e && b != '#' {
			t[c] |= cTarget
		}
		if alpha || digit || isByteIn(b, "-._~!$&'()*+,;=") {
			t[c] |= cRegName
		}
		if digit || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F' {
			t[c] |= cHex
		}
		if digit {
			t[c] |= cDigit
		}
		if alpha || digit || b == '+' || b == '-' || b == '.' {
			t[c] |= cScheme
		}
	}
	return t
}

func isByteIn(b byte, set string) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == b {
			return true
		}
	}
	return false
}

// lower maps ASCII upper-case letters to lower case and every other byte to
// itself.
var lower = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
		if 'A' <= c && c <= 'Z' {
			t[c] = byte(c) + 'a' - 'A'
		}
	}
	return t
}()

// EqualFoldString reports whether b and s are equal under ASCII case
// folding (field names, tokens and schemes are case-insensitive: RFC 9110
// §5.1, §5.6.2). Non-ASCII bytes must match exactly.
func EqualFoldString(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower[b[i]] != lower[s[i]] {
			return false
		}
	}
	return true
}

// EqualFold is EqualFoldString for two byte slices.
func EqualFold(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if lower[a[i]] != lower[b[i]] {
			return false
		}
	}
	return true
}

// isOWS reports whether c is optional whitespace (RFC 9110 §5.6.3).
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// TrimOWS removes leading and trailing SP and HTAB (optional whitespace
// around field values and list elements).
func TrimOWS(b []byte) []byte {
	for len(b) > 0 && isOWS(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isOWS(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// nextElement splits the comma-separated list value (RFC 9110 §5.6.1) at
// its first comma: elem is the first element with OWS trimmed (possibly
// empty), rest what follows the comma, and more reports whether there was
// a comma.
func nextElement(value []byte) (elem, rest []byte, more bool) {
	for i, c := range value {
		if c == ',' {
			return TrimOWS(value[:i]), value[i+1:], true
		}
	}
	return TrimOWS(value), nil, false
}

// HasToken reports whether the comma-separated list value contains token,
// compared case-insensitively after trimming OWS around each element, as
// for Connection (RFC 9110 §7.6.1). Empty elements are skipped.
func HasToken(value []byte, token string) bool {
	for more := true; more; {
		var elem []byte
		elem, value, more = nextElement(value)
		if EqualFoldString(elem, token) {
			return true
		}
	}
	return false
}

// protocolName returns the protocol-name of an Upgrade element
// protocol-name ["/" protocol-version] (RFC 9110 §7.8).
func protocolName(elem []byte) []byte {
	for i, c := range elem {
		if c == '/' {
			return elem[:i]
		}
	}
	return elem
}
