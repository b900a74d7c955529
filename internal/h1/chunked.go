package h1

// maxChunkLine bounds a chunk size line, extensions included, CRLF
// excluded: 4096 bytes with its CRLF, net/http's limit.
const maxChunkLine = 4096 - 2

// maxChunkDigits bounds the hex digits of a chunk size, leading zeros
// included, as net/http does.
const maxChunkDigits = 16

// Chunked scanner states.
const (
	csSizeStart    uint8 = iota // expecting the first hex digit of a size
	csSize                      // in the size's hex digits
	csExt                       // in chunk extensions, after ';'
	csSizeLF                    // CR of the size line seen, LF expected
	csData                      // in chunk data; size bytes left
	csDataCR                    // data done, CR expected
	csDataLF                    // CR after data seen, LF expected
	csTrailerStart              // at the start of a trailer line
	csTrailerName               // in a trailer field name
	csTrailerValue              // in a trailer field value
	csTrailerLF                 // CR of a trailer line seen, LF expected
	csEndLF                     // CR of the final empty line seen
	csDone                      // the message has ended
)

// ChunkedScanner finds the end of a chunked body (RFC 9112 §7.1) in the
// raw bytes the proxy forwards, without copying or decoding them. Feed it
// the bytes as they arrive, in any split, one byte at a time if need be;
// the zero value is ready to scan a body from its first chunk size.
//
// It is strict: a chunk size is 1 to 16 hex digits (no sign, no
// whitespace, value below 2^63), chunk extensions are VCHAR/obs-text/SP/HTAB
// with the size line at most 4096 bytes, every line ends with CRLF (a bare
// LF is an error: RFC 9112 errata 7633, net/http since CVE-2025-22871),
// data is followed by CRLF, and the trailer section follows the header
// field rules (token names, no whitespace before the colon, no CTL in
// values, no obs-fold) with at most MaxHeaders fields and MaxHeadLen
// bytes. Errors are *Error values with Status 400; on a response body the
// head has already been forwarded, so the proxy can only abort.
type ChunkedScanner struct {
	state  uint8
	digits uint8
	line   int   // bytes of the current size line, or of the trailer section
	fields int   // trailer field lines
	size   int64 // chunk size being read, then data bytes left
	err    error
	lim    Limits // zero: DefaultLimits
}

// Reset makes s ready to scan a new body.
func (s *ChunkedScanner) Reset() { *s = ChunkedScanner{lim: s.lim} }

// SetLimits bounds the size lines and trailer section by lim instead of
// DefaultLimits; Reset keeps them.
func (s *ChunkedScanner) SetLimits(lim Limits) { s.lim = lim }

func (s *ChunkedScanner) limits() Limits {
	if s.lim.HeadLen == 0 {
		return DefaultLimits
	}
	return s.lim
}

// Done reports whether the body has ended.
func (s *ChunkedScanner) Done() bool { return s.state == csDone }

// Scan consumes bytes of p that belong to the body. n is how many: all of
// p while the body goes on, fewer when it ends inside p (done is then
// true and p[n:] belongs to the next message), or the offset of the
// offending byte when err is not nil. Once done, or once failed, Scan
// consumes nothing more and returns the same result.
func (s *ChunkedScanner) Scan(p []byte) (n int, done bool, err error) {
	if s.err != nil {
		return 0, false, s.err
	}
	i := 0
	for i < len(p) {
		switch s.state {
		case csData:
			k := s.size
			if rest := int64(len(p) - i); rest < k {
				k = rest
			}
			i += int(k)
			s.size -= k
			if s.size == 0 {
				s.state = csDataCR
			}
			continue
		case csDone:
			return i, true, nil
		}
		c := p[i]
		switch s.state {
		case csSizeStart:
			// chunk-size = 1*HEXDIG (RFC 9112 §7.1).
			if class[c]&cHex == 0 {
				return s.fail(i, sizeLineRule(c))
			}
			s.size, s.digits, s.line = int64(unhex(c)), 1, 1
			s.state = csSize
		case csSize:
			switch {
			case class[c]&cHex != 0:
				if s.digits == maxChunkDigits || s.size > (1<<63-1)>>4 {
					return s.fail(i, ruleChunkSizeOverflow)
				}
				s.size = s.size<<4 | int64(unhex(c))
				s.digits++
			case c == ';':
				// chunk-ext (RFC 9112 §7.1.1): we skip it. BWS before
				// ';' is not accepted (net/http rejects it too).
				s.state = csExt
			case c == '\r':
				s.state = csSizeLF
			default:
				return s.fail(i, sizeLineRule(c))
			}
			if c != '\r' {
				if s.line++; s.line > maxChunkLine {
					return s.fail(i, ruleChunkLineTooLong)
				}
			}
		case csExt:
			switch {
			case c == '\r':
				s.state = csSizeLF
			case class[c]&cValue == 0:
				if c == '\n' {
					return s.fail(i, ruleBareLF)
				}
				return s.fail(i, ruleChunkExtChar)
			default:
				if s.line++; s.line > maxChunkLine {
					return s.fail(i, ruleChunkLineTooLong)
				}
			}
		case csSizeLF:
			if c != '\n' {
				return s.fail(i, ruleBareCR)
			}
			if s.size == 0 {
				s.state, s.line, s.fields = csTrailerStart, 0, 0
			} else {
				s.state = csData
			}
		case csDataCR:
			if c != '\r' {
				return s.fail(i, ruleChunkDataCRLF)
			}
			s.state = csDataLF
		case csDataLF:
			if c != '\n' {
				return s.fail(i, ruleChunkDataCRLF)
			}
			s.state = csSizeStart
		default:
			if r := s.trailerByte(c); r != ruleNone {
				return s.fail(i, r)
			}
			if s.state == csDone {
				return i + 1, true, nil
			}
		}
		i++
	}
	return i, s.state == csDone, nil
}

// trailerByte advances the trailer section state machine by one byte
// (RFC 9112 §7.1.2: trailer-section = *( field-line CRLF ), with the
// field-line rules of §5).
func (s *ChunkedScanner) trailerByte(c byte) rule {
	if s.line++; s.line > s.limits().HeadLen {
		return ruleTrailerTooLarge
	}
	switch s.state {
	case csTrailerStart:
		switch {
		case c == '\r':
			s.state = csEndLF
		case c == '\n':
			return ruleBareLF
		case isOWS(c):
			if s.fields == 0 {
				return ruleLeadingWhitespace
			}
			return ruleObsFold
		case c == ':':
			return ruleFieldNameEmpty
		case class[c]&cToken != 0:
			if s.fields++; s.fields > s.limits().Fields {
				return ruleTooManyFields
			}
			s.state = csTrailerName
		default:
			return ruleFieldNameChar
		}
	case csTrailerName:
		switch {
		case class[c]&cToken != 0:
		case c == ':':
			s.state = csTrailerValue
		case isOWS(c):
			return ruleFieldNameSpace
		case c == '\r' || c == '\n':
			return ruleFieldNoColon
		default:
			return ruleFieldNameChar
		}
	case csTrailerValue:
		switch {
		case class[c]&cValue != 0:
		case c == '\r':
			s.state = csTrailerLF
		case c == '\n':
			return ruleBareLF
		case c == 0:
			return ruleFieldValueNUL
		default:
			return ruleFieldValueChar
		}
	case csTrailerLF:
		if c != '\n' {
			return ruleBareCR
		}
		s.state = csTrailerStart
	case csEndLF:
		if c != '\n' {
			return ruleBareCR
		}
		s.state = csDone
	}
	return ruleNone
}

func (s *ChunkedScanner) fail(i int, r rule) (int, bool, error) {
	s.err = reqErrs[r]
	return i, false, s.err
}

// sizeLineRule names the error for byte c where a hex digit, ';' or CR
// was expected.
func sizeLineRule(c byte) rule {
	if c == '\n' {
		return ruleBareLF
	}
	return ruleChunkSize
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
