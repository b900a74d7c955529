package h1

// parseFields parses the header field lines of a head starting at buf[i],
// through the empty line that ends the head, appending one Header per line
// to hs. end is the index just past that empty line. It returns
// ErrIncomplete when buf ends before the empty line and nothing seen so far
// is invalid; errors are taken from errs (request or response statuses).
//
// Errors are detected in byte order, so that a prefix of a head yields
// either ErrIncomplete or the error the whole head yields.
func parseFields(buf []byte, i int, hs []Header, errs *[numRules]*Error, maxFields int) (_ []Header, end int, err error) {
	first := true
	counted := 0
	for {
		if i >= len(buf) {
			return hs, 0, ErrIncomplete
		}
		switch buf[i] {
		case '\r', '\n':
			// The empty line. RFC 9112 §2.2 lets a recipient accept a bare
			// LF; we do not: a proxy and a server that disagree on line
			// ends disagree on the head, which is how requests get
			// smuggled.
			end, err := lineEnd(buf, i, errs)
			return hs, end, err
		case ' ', '\t':
			if first {
				// RFC 9112 §2.2: whitespace between the start-line and
				// the first field MUST be rejected or the line ignored.
				return hs, 0, errs[ruleLeadingWhitespace]
			}
			// RFC 9112 §5.2: obs-fold is deprecated; a server may reject
			// it with 400, a proxy must reject or replace it (502 for a
			// response). We reject.
			return hs, 0, errs[ruleObsFold]
		}
		first = false

		// field-name = token (RFC 9110 §5.1), then ':' with no whitespace
		// before it (RFC 9112 §5.1: MUST reject with 400).
		ns := i
		for i < len(buf) && class[buf[i]]&cToken != 0 {
			i++
		}
		if i >= len(buf) {
			return hs, 0, ErrIncomplete
		}
		ne := i
		switch c := buf[i]; {
		case c == ':':
			if ne == ns {
				return hs, 0, errs[ruleFieldNameEmpty]
			}
		case isOWS(c):
			return hs, 0, errs[ruleFieldNameSpace]
		case c == '\r' || c == '\n':
			return hs, 0, errs[ruleFieldNoColon]
		default:
			return hs, 0, errs[ruleFieldNameChar]
		}
		i++

		// field-value: OWS field-value OWS (RFC 9112 §5). RFC 9110 §5.5:
		// CR, LF and NUL MUST be rejected (or replaced); other CTLs are
		// not field-vchar either, and are rejected too.
		for i < len(buf) && isOWS(buf[i]) {
			i++
		}
		vs := i
		for i < len(buf) && class[buf[i]]&cValue != 0 {
			i++
		}
		if i >= len(buf) {
			return hs, 0, ErrIncomplete
		}
		switch buf[i] {
		case '\r', '\n':
			if _, err := lineEnd(buf, i, errs); err != nil {
				return hs, 0, err
			}
		case 0:
			return hs, 0, errs[ruleFieldValueNUL]
		default:
			return hs, 0, errs[ruleFieldValueChar]
		}
		ve := i
		for ve > vs && isOWS(buf[ve-1]) {
			ve--
		}
		if counted >= maxFields {
			return hs, 0, errs[ruleTooManyFields]
		}
		if !onlyPersistence(buf[ns:ne], buf[vs:ve]) {
			// HAProxy does not store a Connection field that only says
			// close or keep-alive, so it does not count towards
			// tune.http.maxhdr.
			counted++
		}
		// Three-index slices: appending to a Name or Value copies instead
		// of overwriting the buffer that follows it.
		hs = append(hs, Header{Name: buf[ns:ne:ne], Value: buf[vs:ve:ve]})
		i += 2
	}
}

// Field names the parsers interpret.
const (
	fieldOther = iota
	fieldContentLength
	fieldTransferEncoding
	fieldConnection
	fieldUpgrade
	fieldHost
	fieldSecWebSocketKey
	fieldSecWebSocketAccept
	fieldTrailer
)

// fieldID identifies the header fields that matter for framing,
// connection handling and routing, switching on the length first so that
// most names cost one comparison at most.
func fieldID(name []byte) int {
	switch len(name) {
	case 4:
		if EqualFoldString(name, "host") {
			return fieldHost
		}
	case 7:
		if EqualFoldString(name, "upgrade") {
			return fieldUpgrade
		}
		if EqualFoldString(name, "trailer") {
			return fieldTrailer
		}
	case 10:
		if EqualFoldString(name, "connection") {
			return fieldConnection
		}
	case 14:
		if EqualFoldString(name, "content-length") {
			return fieldContentLength
		}
	case 17:
		switch lower[name[0]] {
		case 't':
			if EqualFoldString(name, "transfer-encoding") {
				return fieldTransferEncoding
			}
		case 's':
			if EqualFoldString(name, "sec-websocket-key") {
				return fieldSecWebSocketKey
			}
		}
	case 20:
		if EqualFoldString(name, "sec-websocket-accept") {
			return fieldSecWebSocketAccept
		}
	}
	return fieldOther
}

// fieldInfo is what the header fields of a head say about framing,
// connection handling and routing. It lives on the stack of a parse call.
type fieldInfo struct {
	contentLength int64  // -1 when absent
	clRaw         []byte // first Content-Length element, to compare others
	hasTE         bool
	chunked       bool // chunked seen, and (once checked) last
	lastChunked   bool // the last coding seen so far is chunked
	teOther       bool // a coding other than chunked precedes chunked
	teErr         rule // first structural Transfer-Encoding error

	connClose, connKeepAlive, connUpgrade bool
	upgradeWebSocket, upgradeH2C          bool

	host      []byte
	hostCount int
	wsKeyLen  int
	wsKeys    int
	wsAccept  bool

	trailerFraming bool // Trailer names Content-Length, Transfer-Encoding or Trailer
}

// scan interprets hs. It returns the first rule violated by a single
// field; rules that combine fields are left to the caller. Host and
// Sec-WebSocket-Key are request fields: in a response they are ignored.
func (f *fieldInfo) scan(hs []Header, request bool) rule {
	*f = fieldInfo{contentLength: -1, wsKeyLen: -1}
	for k := range hs {
		h := &hs[k]
		switch fieldID(h.Name) {
		case fieldContentLength:
			if r := f.addContentLength(h.Value); r != ruleNone {
				return r
			}
		case fieldTransferEncoding:
			f.addTransferEncoding(h.Value)
		case fieldConnection:
			// RFC 9110 §7.6.1: Connection is a comma list of
			// case-insensitive options; several lines make one list.
			for v, more := h.Value, true; more; {
				var e []byte
				e, v, more = nextElement(v)
				switch {
				case EqualFoldString(e, "close"):
					f.connClose = true
				case EqualFoldString(e, "keep-alive"):
					f.connKeepAlive = true
				case EqualFoldString(e, "upgrade"):
					f.connUpgrade = true
				}
			}
		case fieldUpgrade:
			// RFC 9110 §7.8: protocol-name ["/" protocol-version]; the
			// name decides.
			for v, more := h.Value, true; more; {
				var e []byte
				e, v, more = nextElement(v)
				name := protocolName(e)
				switch {
				case EqualFoldString(name, "websocket"):
					f.upgradeWebSocket = true
				case EqualFoldString(name, "h2c"):
					f.upgradeH2C = true
				}
			}
		case fieldHost:
			if !request {
				break
			}
			// RFC 9112 §3.2: a request with more than one Host line MUST
			// get a 400 (net/http's ReadRequest agrees; HAProxy 2.6 lets
			// identical copies through).
			f.hostCount++
			if f.hostCount > 1 {
				return ruleHostDuplicate
			}
			if !validHost(h.Value) {
				return ruleHostInvalid
			}
			f.host = h.Value
		case fieldSecWebSocketKey:
			if !request {
				break
			}
			// RFC 6455 §11.3.1: the field MUST NOT appear more than once.
			f.wsKeys++
			if f.wsKeys > 1 {
				return ruleWebSocketKeyDuplicate
			}
			f.wsKeyLen = len(h.Value)
		case fieldSecWebSocketAccept:
			f.wsAccept = true
		case fieldTrailer:
			for v, more := h.Value, true; more; {
				var e []byte
				e, v, more = nextElement(v)
				if EqualFoldString(e, "content-length") || EqualFoldString(e, "transfer-encoding") || EqualFoldString(e, "trailer") {
					f.trailerFraming = true
				}
			}
		}
	}
	if f.hasTE && f.teErr == ruleNone && !f.lastChunked {
		f.teErr = ruleTEChunkedNotLast
	}
	return ruleNone
}

// addContentLength adds one Content-Length field line. RFC 9110 §8.6:
// Content-Length = 1*DIGIT; a list of identical values (several lines or
// a comma list) may be collapsed to one, differing values are an
// unrecoverable framing error (RFC 9112 §6.3 ¶5). "Identical" is byte
// equality after trimming OWS, as in net/http: 01 and 1 conflict.
func (f *fieldInfo) addContentLength(v []byte) rule {
	for more := true; more; {
		var e []byte
		e, v, more = nextElement(v)
		if len(e) == 0 {
			return ruleCLInvalid
		}
		var n int64
		for _, c := range e {
			if class[c]&cDigit == 0 {
				return ruleCLInvalid
			}
			d := int64(c - '0')
			if n > (1<<63-1-d)/10 {
				return ruleCLInvalid
			}
			n = n*10 + d
		}
		if f.clRaw == nil {
			f.clRaw, f.contentLength = e, n
		} else if string(f.clRaw) != string(e) {
			return ruleCLConflict
		}
	}
	return ruleNone
}

// addTransferEncoding adds one Transfer-Encoding field line. Only chunked
// is framing we understand (RFC 9112 §7); it must be applied once and
// last (§6.1, §6.3 ¶4). Empty list elements, which RFC 9110 §5.6.1 asks
// recipients to skip, are rejected here: this field decides the framing,
// and net/http rejects them too.
func (f *fieldInfo) addTransferEncoding(v []byte) {
	f.hasTE = true
	for more := true; more; {
		var e []byte
		e, v, more = nextElement(v)
		if f.teErr != ruleNone {
			return
		}
		switch {
		case len(e) == 0:
			f.teErr = ruleTEEmpty
		case f.chunked:
			if EqualFoldString(e, "chunked") {
				f.teErr = ruleTEChunkedTwice
			} else {
				f.teErr = ruleTEChunkedNotLast
			}
		case EqualFoldString(e, "chunked"):
			f.chunked, f.lastChunked = true, true
		default:
			f.teOther = true
		}
	}
}

// validHost reports whether v is a valid Host value: empty (RFC 9110
// §7.2 allows it when the target has no authority) or uri-host [":" port].
func validHost(v []byte) bool {
	return len(v) == 0 || validAuthority(v, false)
}

// validAuthority reports whether a is host [":" port] where host is an
// IPv6 literal in brackets or a reg-name / IPv4 address without
// pct-encoding (RFC 3986 §3.2.2), and port is 1*5DIGIT. userinfo is not
// accepted (RFC 9110 §4.2.4: a recipient SHOULD treat it as an error).
// With needPort, the port is mandatory (authority-form, RFC 9112 §3.2.3).
func validAuthority(a []byte, needPort bool) bool {
	i := 0
	if len(a) > 0 && a[0] == '[' {
		for i < len(a) && a[i] != ']' {
			i++
		}
		if i >= len(a) || !validIPv6(a[1:i]) {
			return false
		}
		i++
	} else {
		for i < len(a) && class[a[i]]&cRegName != 0 {
			i++
		}
		if i == 0 {
			return false
		}
	}
	if i == len(a) {
		return !needPort
	}
	if a[i] != ':' {
		return false
	}
	port := a[i+1:]
	if len(port) == 0 || len(port) > 5 {
		return false
	}
	for _, c := range port {
		if class[c]&cDigit == 0 {
			return false
		}
	}
	return true
}

// validIPv6 reports whether b is an IPv6address (RFC 3986 §3.2.2): eight
// groups of 1 to 4 hex digits separated by ':', at most one "::" standing
// for one or more zero groups, and optionally a dotted IPv4 address in
// place of the last two groups. Zone identifiers and IPvFuture are not
// accepted.
func validIPv6(b []byte) bool {
	groups := 0
	ellipsis := false
	i := 0
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis = true
		i = 2
		if i == len(b) {
			return true
		}
	}
	for i < len(b) {
		// One group, or the trailing IPv4 address.
		j := i
		for j < len(b) && class[b[j]]&cHex != 0 && j-i < 5 {
			j++
		}
		if j < len(b) && b[j] == '.' {
			if !validIPv4(b[i:]) {
				return false
			}
			groups += 2
			i = len(b)
			break
		}
		if j == i || j-i > 4 {
			return false
		}
		groups++
		i = j
		if i == len(b) {
			break
		}
		if b[i] != ':' {
			return false
		}
		i++
		if i < len(b) && b[i] == ':' {
			if ellipsis {
				return false
			}
			ellipsis = true
			i++
			if i == len(b) {
				break
			}
		} else if i == len(b) {
			return false // trailing single ':'
		}
	}
	if ellipsis {
		return groups <= 7
	}
	return groups == 8
}

// validIPv4 reports whether b is a dotted-decimal IPv4 address without
// leading zeros (RFC 3986 dec-octet).
func validIPv4(b []byte) bool {
	for part := 0; part < 4; part++ {
		if part > 0 {
			if len(b) == 0 || b[0] != '.' {
				return false
			}
			b = b[1:]
		}
		n, d := 0, 0
		for d < len(b) && d < 3 && class[b[d]]&cDigit != 0 {
			n = n*10 + int(b[d]-'0')
			d++
		}
		if d == 0 || n > 255 || d > 1 && b[0] == '0' {
			return false
		}
		b = b[d:]
	}
	return len(b) == 0
}

// onlyPersistence reports a Connection field whose options are only
// "close" and "keep-alive" (or none).
func onlyPersistence(name, value []byte) bool {
	if !EqualFoldString(name, "connection") {
		return false
	}
	for more := true; more; {
		var opt []byte
		opt, value, more = nextElement(value)
		if len(opt) > 0 && !EqualFoldString(opt, "close") && !EqualFoldString(opt, "keep-alive") {
			return false
		}
	}
	return true
}
