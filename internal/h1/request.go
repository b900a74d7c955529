package h1

// ParseRequest parses the request head at the start of buf into req. buf
// may hold more bytes after the head (a body, a pipelined request); they
// are not looked at. On success every field of req is set and req.HeadLen
// says how many bytes of buf the head took, leading empty lines included.
//
// It returns ErrIncomplete when buf holds no complete head yet and nothing
// in it is invalid (the caller reads more and calls again with the longer
// buffer), ErrHeadTooLarge when MaxHeadLen bytes hold no complete head, and
// an *Error naming the violated rule otherwise; the head of a request that
// is accepted with some prefix returns ErrIncomplete for every shorter
// prefix.
//
// req.Headers' backing array is reused, so parsing into a warm Request
// does not allocate. The byte slices in req alias buf. After an error the
// fields of req are unspecified (Headers keeps its backing array).
//
// Policy (RFC 9112 unless stated; see the package tests for each rule):
//   - Leading CRLF lines are skipped (§2.2 SHOULD ignore at least one);
//     they count in HeadLen.
//   - Lines end with CRLF; a bare LF or a bare CR is a 400 (§2.2 allows
//     accepting LF, but disagreement on line ends enables smuggling).
//   - Request line: method SP request-target SP HTTP-version, single SPs
//     (§3); the method is a token; the target is VCHARs without '#'.
//   - HTTP/1.0 and HTTP/1.1 are accepted; HTTP/1.2 to 1.9 are handled as
//     1.1 (§2.3: highest minor version implemented); other majors get 505.
//   - A missing Host is accepted even in HTTP/1.1 (§3.2 says 400; HAProxy
//     2.6 accepts); more than one Host line is a 400 (§3.2).
//   - A WebSocket upgrade (Connection: upgrade and Upgrade: websocket)
//     without a 24-character Sec-WebSocket-Key is a 400, as in HAProxy
//     2.4+, whose H1 multiplexer rejects it before any rule runs.
func ParseRequest(req *Request, buf []byte) error {
	return ParseRequestLimits(req, buf, DefaultLimits)
}

// ParseRequestLimits is ParseRequest with other limits than HAProxy's
// defaults (tune.bufsize, tune.http.maxhdr).
func ParseRequestLimits(req *Request, buf []byte, lim Limits) error {
	whole := len(buf)
	if len(buf) > lim.HeadLen {
		buf = buf[:lim.HeadLen]
	}
	err := req.parse(buf, lim.Fields)
	if err == ErrIncomplete && whole >= lim.HeadLen {
		return ErrHeadTooLarge
	}
	return err
}

// targetForm is the form of a request-target (RFC 9112 §3.2).
type targetForm uint8

const (
	originForm targetForm = iota
	absoluteForm
	authorityForm
	asteriskForm
)

func (req *Request) parse(buf []byte, maxFields int) error {
	hs := req.Headers[:0]
	*req = Request{Headers: hs, ContentLength: -1, WebSocketKeyLen: -1}
	errs := &reqErrs

	i := skipEmptyLines(buf)
	if i >= len(buf) || buf[i] == '\r' && i+1 == len(buf) {
		return ErrIncomplete
	}

	// method = token (RFC 9110 §9.1), followed by exactly one SP.
	ms := i
	for i < len(buf) && class[buf[i]]&cToken != 0 {
		i++
	}
	if i >= len(buf) {
		return ErrIncomplete
	}
	if i == ms || buf[i] != ' ' {
		switch buf[i] {
		case '\n':
			return errs[ruleBareLF]
		case '\r':
			if i == ms {
				return errs[ruleBareCR] // "\r\n" was skipped above
			}
		}
		return errs[ruleMethod]
	}
	method := buf[ms:i:i]
	i++

	// request-target: no whitespace, CTL, DEL or non-ASCII byte, and no
	// fragment (RFC 9112 §3.2); exactly one SP after it (§3).
	ts := i
	for i < len(buf) && class[buf[i]]&cTarget != 0 {
		i++
	}
	if i >= len(buf) {
		return ErrIncomplete
	}
	switch buf[i] {
	case ' ':
		if i == ts {
			return errs[ruleTargetEmpty]
		}
	case '#':
		return errs[ruleTargetFragment]
	case '\r', '\n':
		if i == ts {
			return errs[ruleTargetEmpty]
		}
		// "GET /" alone is an HTTP/0.9 simple request: not supported.
		return errs[ruleMissingVersion]
	default:
		return errs[ruleTargetChar]
	}
	target := buf[ts:i:i]
	i++

	major, minor, i, err := parseVersion(buf, i, errs)
	if err != nil {
		return err
	}
	// The line ends right after the version: a trailing SP is an error.
	if i >= len(buf) {
		return ErrIncomplete
	}
	if i, err = lineEnd(buf, i, errs); err != nil {
		return err
	}
	if major != 1 {
		// RFC 9112 §2.3 / RFC 9110 §15.6.6: we implement HTTP/1 only.
		// HTTP/0.9 and HTTP/2.0 request lines (net/http's ReadRequest
		// accepts both) get 505.
		return errs[ruleVersionUnsupported]
	}
	req.Method, req.Target = method, target
	req.Major, req.Minor = 1, min(minor, 1)

	form, authority, r := req.splitTarget()
	if r != ruleNone {
		return errs[r]
	}

	hs, end, err := parseFields(buf, i, hs, errs, maxFields)
	req.Headers = hs
	if err != nil {
		return err
	}
	req.HeadLen = end

	var f fieldInfo
	if r := f.scan(hs, true); r != ruleNone {
		return errs[r]
	}
	if r := f.messageFraming(req.Minor); r != ruleNone {
		return errs[r]
	}
	if form == absoluteForm && f.hostCount > 0 && !sameAuthority(authority, f.host, req.Target) {
		// RFC 9112 §3.2.2: a client MUST send a Host identical to the
		// target's authority. HAProxy 2.6 rejects a mismatch with 400, and
		// so do we: routing on Host while the server uses the target's
		// authority would let a client pick any backend.
		return errs[ruleHostMismatch]
	}
	if f.connUpgrade && f.upgradeWebSocket && f.wsKeyLen != 24 {
		// RFC 6455 §4.1: the key is 16 bytes base64-encoded, 24
		// characters. HAProxy 2.4+ rejects anything else with 400.
		return errs[ruleWebSocketKey]
	}

	req.ContentLength = f.contentLength
	req.Chunked = f.chunked
	req.ConnClose, req.ConnKeepAlive, req.ConnUpgrade = f.connClose, f.connKeepAlive, f.connUpgrade
	req.UpgradeWebSocket, req.UpgradeH2C = f.upgradeWebSocket, f.upgradeH2C
	req.WebSocketKeyLen = f.wsKeyLen
	req.Host = f.host
	return nil
}

// skipEmptyLines returns the index of the first byte after the leading
// CRLFs of buf. RFC 9112 §2.2: a server SHOULD ignore at least one empty
// line received before the request-line (old clients add a CRLF after a
// POST body); any number are skipped, bounded by MaxHeadLen. HAProxy does
// the same, for responses too.
func skipEmptyLines(buf []byte) int {
	i := 0
	for i+1 < len(buf) && buf[i] == '\r' && buf[i+1] == '\n' {
		i += 2
	}
	return i
}

// parseVersion parses HTTP-version = "HTTP/" DIGIT "." DIGIT at buf[i]
// (RFC 9112 §2.3; HTTP-name is case-sensitive).
func parseVersion(buf []byte, i int, errs *[numRules]*Error) (major, minor, next int, err error) {
	const name = "HTTP/"
	for k := 0; k < 8; k, i = k+1, i+1 {
		if i >= len(buf) {
			return 0, 0, 0, ErrIncomplete
		}
		c := buf[i]
		var ok bool
		switch {
		case k < len(name):
			ok = c == name[k]
		case k == 6:
			ok = c == '.'
		default:
			ok = class[c]&cDigit != 0
		}
		if !ok {
			if c == '\n' {
				return 0, 0, 0, errs[ruleBareLF]
			}
			return 0, 0, 0, errs[ruleVersion]
		}
	}
	return int(buf[i-3] - '0'), int(buf[i-1] - '0'), i, nil
}

// lineEnd checks for CRLF at buf[i] (i < len(buf)) and returns the index
// after it.
func lineEnd(buf []byte, i int, errs *[numRules]*Error) (int, error) {
	switch buf[i] {
	case '\r':
		if i+1 >= len(buf) {
			return 0, ErrIncomplete
		}
		if buf[i+1] != '\n' {
			return 0, errs[ruleBareCR]
		}
		return i + 2, nil
	case '\n':
		return 0, errs[ruleBareLF]
	}
	return 0, errs[ruleVersion]
}

// splitTarget checks req.Target against the four forms of RFC 9112 §3.2
// and sets Path and Query. It returns the form and, for absolute-form, the
// authority.
func (req *Request) splitTarget() (targetForm, []byte, rule) {
	t := req.Target
	connect := string(req.Method) == "CONNECT"
	switch {
	case t[0] == '/':
		// origin-form = absolute-path [ "?" query ]. CONNECT takes only
		// authority-form (§3.2.3).
		if connect {
			return originForm, nil, ruleTargetForm
		}
		return originForm, nil, req.setPathQuery(t)
	case len(t) == 1 && t[0] == '*':
		// asterisk-form is only for a server-wide OPTIONS (§3.2.4).
		if string(req.Method) != "OPTIONS" {
			return asteriskForm, nil, ruleTargetForm
		}
		return asteriskForm, nil, ruleNone
	case connect:
		// authority-form = uri-host ":" port (§3.2.3).
		if !validAuthority(t, true) {
			return authorityForm, nil, ruleTargetAuthority
		}
		return authorityForm, nil, ruleNone
	}
	// absolute-form = absolute-URI (§3.2.2). We require the hierarchical
	// scheme "://" authority form with a non-empty host (RFC 9110 §4.2.1:
	// an http URI with an empty host MUST be rejected).
	i := 0
	for i < len(t) && class[t[i]]&cScheme != 0 {
		i++
	}
	if i == 0 || !isAlpha(t[0]) || len(t)-i < 3 || string(t[i:i+3]) != "://" {
		return absoluteForm, nil, ruleTargetForm
	}
	as := i + 3
	i = as
	for i < len(t) && t[i] != '/' && t[i] != '?' {
		i++
	}
	authority := t[as:i]
	if !validAuthority(authority, false) {
		return absoluteForm, nil, ruleTargetAuthority
	}
	return absoluteForm, authority, req.setPathQuery(t[i:])
}

// setPathQuery splits pq = path [ "?" query ] into req.Path and req.Query.
// The path's percent-encodings must be complete (RFC 3986 §2.1): the path
// is what routing ACLs and servers decode, and a half escape is read
// differently by each.
func (req *Request) setPathQuery(pq []byte) rule {
	p := pq
	for i, c := range pq {
		if c == '?' {
			p, req.Query = pq[:i:i], pq[i+1:]
			break
		}
	}
	req.Path = p
	for i := 0; i < len(p); i++ {
		if p[i] == '%' {
			if i+2 >= len(p) || class[p[i+1]]&cHex == 0 || class[p[i+2]]&cHex == 0 {
				return ruleTargetPercent
			}
			i += 2
		}
	}
	return ruleNone
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// sameAuthority reports whether the Host value equals the absolute-form
// authority, ignoring case (RFC 3986 §6.2.2.1) and the scheme's default
// port (RFC 3986 §6.2.3), as HAProxy 2.6 does.
func sameAuthority(authority, host, target []byte) bool {
	def := ""
	switch {
	case len(target) > 5 && EqualFoldString(target[:5], "http:"):
		def = ":80"
	case len(target) > 6 && EqualFoldString(target[:6], "https:"):
		def = ":443"
	}
	strip := func(a []byte) []byte {
		if def != "" && len(a) > len(def) && string(a[len(a)-len(def):]) == def {
			return a[:len(a)-len(def)]
		}
		return a
	}
	a, h := strip(authority), strip(host)
	if len(a) != len(h) {
		return false
	}
	for i := range a {
		if lower[a[i]] != lower[h[i]] {
			return false
		}
	}
	return true
}

// messageFraming applies the rules that combine Content-Length and
// Transfer-Encoding (RFC 9112 §6). minor is the HTTP/1 minor version.
func (f *fieldInfo) messageFraming(minor int) rule {
	if f.hasTE {
		switch {
		case f.teErr != ruleNone:
			return f.teErr
		case minor == 0:
			// RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding
			// MUST be treated as having faulty framing. net/http ignores
			// the field instead; we reject.
			return ruleTEHTTP10
		case f.clRaw != nil:
			// RFC 9112 §6.1/§6.3 ¶3: TE overrides CL, but the message
			// "ought to be handled as an error": it is the classic
			// request smuggling vector, so we reject it (net/http and
			// HAProxy strip Content-Length and go on).
			return ruleCLWithTE
		case f.teOther:
			return ruleTEUnsupported
		}
		if f.trailerFraming {
			// Framing fields cannot be trailers (RFC 9110 §6.5.1);
			// net/http rejects a Trailer field announcing one.
			return ruleTrailerFraming
		}
	}
	return ruleNone
}

// KeepAlive reports whether the client allows the connection to persist
// after this exchange (RFC 9112 §9.3): HTTP/1.1 unless "close", HTTP/1.0
// only with "keep-alive" and without "close".
func (req *Request) KeepAlive() bool {
	if req.ConnClose {
		return false
	}
	return req.Minor >= 1 || req.ConnKeepAlive
}
