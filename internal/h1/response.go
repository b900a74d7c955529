package h1

// ParseResponse parses the response head at the start of buf into resp,
// with the same contract as ParseRequest: ErrIncomplete, ErrHeadTooLarge's
// response twin or an *Error (Status 502) on failure; resp.Headers'
// backing array is reused; slices alias buf.
//
// Policy, beyond the field rules shared with requests:
//   - Leading CRLF lines are skipped, as HAProxy does (RFC 9112 §2.2 only
//     asks it of servers, but a CRLF after a body is a common server bug
//     and harmless).
//   - status-line = HTTP-version SP 3DIGIT SP reason-phrase (RFC 9112 §4);
//     the SP and reason may be missing ("HTTP/1.1 200" is accepted, as by
//     net/http and HAProxy); the reason has no CTL but HTAB.
//   - The status must be 100-599 (RFC 9110 §15).
//   - Only HTTP/1.x; 1.2 to 1.9 are handled as 1.1.
//   - Content-Length with Transfer-Encoding is rejected (RFC 9112 §6.3 ¶3
//     allows TE to win, but the proxy would then have to remove
//     Content-Length before forwarding; HAProxy and net/http do that).
//   - Transfer-Encoding whose final coding is not chunked is rejected
//     (RFC 9112 §6.3 ¶4 would read until close; net/http and HAProxy
//     reject), and so is Transfer-Encoding in an HTTP/1.0 response (§6.1).
func ParseResponse(resp *Response, buf []byte) error {
	return ParseResponseLimits(resp, buf, DefaultLimits)
}

// ParseResponseLimits is ParseResponse with other limits than HAProxy's
// defaults (tune.bufsize, tune.http.maxhdr).
func ParseResponseLimits(resp *Response, buf []byte, lim Limits) error {
	whole := len(buf)
	if len(buf) > lim.HeadLen {
		buf = buf[:lim.HeadLen]
	}
	err := resp.parse(buf, lim.Fields)
	if err == ErrIncomplete && whole >= lim.HeadLen {
		return respErrs[ruleHeadTooLarge]
	}
	return err
}

func (resp *Response) parse(buf []byte, maxFields int) error {
	hs := resp.Headers[:0]
	*resp = Response{Headers: hs, ContentLength: -1}
	errs := &respErrs

	i := skipEmptyLines(buf)
	if i < len(buf) {
		switch buf[i] {
		case '\n':
			return errs[ruleBareLF]
		case '\r':
			if i+1 == len(buf) {
				return ErrIncomplete
			}
			return errs[ruleBareCR] // "\r\n" was skipped above
		}
	}
	major, minor, i, err := parseVersion(buf, i, errs)
	if err != nil {
		return err
	}
	if i >= len(buf) {
		return ErrIncomplete
	}
	if buf[i] != ' ' {
		return errs[ruleStatus]
	}
	i++
	status := 0
	for k := 0; k < 3; k, i = k+1, i+1 {
		if i >= len(buf) {
			return ErrIncomplete
		}
		if class[buf[i]]&cDigit == 0 {
			return errs[ruleStatus]
		}
		status = status*10 + int(buf[i]-'0')
	}
	if i >= len(buf) {
		return ErrIncomplete
	}
	rs := i
	switch buf[i] {
	case ' ':
		i++
		rs = i
		// reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ), RFC 9112 §4.
		for i < len(buf) && class[buf[i]]&cValue != 0 {
			i++
		}
		if i >= len(buf) {
			return ErrIncomplete
		}
		if buf[i] != '\r' && buf[i] != '\n' {
			return errs[ruleReason]
		}
	case '\r', '\n':
	default:
		return errs[ruleStatus]
	}
	reason := buf[rs:i:i]
	if i, err = lineEnd(buf, i, errs); err != nil {
		return err
	}
	if major != 1 {
		return errs[ruleVersionUnsupported]
	}
	if status < 100 || status > 599 {
		return errs[ruleStatusRange]
	}
	resp.Major, resp.Minor = 1, min(minor, 1)
	resp.Status, resp.Reason = status, reason

	hs, end, err := parseFields(buf, i, hs, errs, maxFields)
	resp.Headers = hs
	if err != nil {
		return err
	}
	resp.HeadLen = end

	var f fieldInfo
	if r := f.scan(hs, false); r != ruleNone {
		return errs[r]
	}
	if r := f.messageFraming(resp.Minor); r != ruleNone {
		return errs[r]
	}
	resp.ContentLength = f.contentLength
	resp.Chunked = f.chunked
	resp.ConnClose, resp.ConnKeepAlive, resp.ConnUpgrade = f.connClose, f.connKeepAlive, f.connUpgrade
	resp.UpgradeWebSocket = f.upgradeWebSocket
	resp.HasWebSocketAccept = f.wsAccept
	return nil
}
