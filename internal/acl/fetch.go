package acl

import (
	"fmt"
	"strconv"
	"strings"
)

// fetchKind identifies what a fetch reads.
type fetchKind uint8

const (
	fHdr          fetchKind = iota // hdr, req.hdr: comma-separated values
	fFhdr                          // req.fhdr: full header lines
	fHdrCnt                        // hdr_cnt, req.hdr_cnt
	fFhdrCnt                       // req.fhdr_cnt
	fHdrVal                        // hdr_val, req.hdr_val: values as integers
	fHdrIP                         // hdr_ip, req.hdr_ip: values as addresses
	fPath                          // path
	fURL                           // url
	fBase                          // base: Host + path
	fQuery                         // query
	fParam                         // url_param, urlp
	fParamVal                      // urlp_val
	fMethod                        // method
	fVer                           // req.ver, req_ver
	fProtoHTTP                     // req.proto_http, req_proto_http
	fSrc                           // src
	fDst                           // dst
	fSrcPort                       // src_port
	fDstPort                       // dst_port
	fReqLen                        // req.len, req_len
	fRDPCookie                     // req.rdp_cookie, req_rdp_cookie
	fRDPCookieCnt                  // req.rdp_cookie_cnt, req_rdp_cookie_cnt
	fTrue                          // always_true
	fFalse                         // always_false
	fWaitEnd                       // wait_end
)

// argSpec says which arguments a fetch takes inside its parentheses.
type argSpec uint8

const (
	argNone  argSpec = iota // no argument ("path" or "path()")
	argHdr                  // [name[,occ]]
	argName                 // [name]
	argParam                // [name[,delim[,i]]]
)

// fetchDef describes one fetch keyword.
type fetchDef struct {
	kind fetchKind
	out  kind
	args argSpec
	// suffix is the match method implied by an ACL-only derivative such as
	// hdr_beg (`hdr -m beg`); mNone for real sample fetches.
	suffix method
}

// fetchDefs lists the keywords hawser knows (configuration.txt §7.3).
var fetchDefs = func() map[string]fetchDef {
	m := map[string]fetchDef{
		"hdr":                {kind: fHdr, out: kStr, args: argHdr},
		"req.hdr":            {kind: fHdr, out: kStr, args: argHdr},
		"req.fhdr":           {kind: fFhdr, out: kStr, args: argHdr},
		"hdr_cnt":            {kind: fHdrCnt, out: kInt, args: argName},
		"req.hdr_cnt":        {kind: fHdrCnt, out: kInt, args: argName},
		"req.fhdr_cnt":       {kind: fFhdrCnt, out: kInt, args: argName},
		"hdr_val":            {kind: fHdrVal, out: kInt, args: argHdr},
		"req.hdr_val":        {kind: fHdrVal, out: kInt, args: argHdr},
		"hdr_ip":             {kind: fHdrIP, out: kIP, args: argHdr},
		"req.hdr_ip":         {kind: fHdrIP, out: kIP, args: argHdr},
		"path":               {kind: fPath, out: kStr},
		"url":                {kind: fURL, out: kStr},
		"base":               {kind: fBase, out: kStr},
		"query":              {kind: fQuery, out: kStr},
		"url_param":          {kind: fParam, out: kStr, args: argParam},
		"urlp":               {kind: fParam, out: kStr, args: argParam},
		"urlp_val":           {kind: fParamVal, out: kInt, args: argParam},
		"method":             {kind: fMethod, out: kStr},
		"req.ver":            {kind: fVer, out: kStr},
		"req_ver":            {kind: fVer, out: kStr},
		"req.proto_http":     {kind: fProtoHTTP, out: kBool},
		"req_proto_http":     {kind: fProtoHTTP, out: kBool},
		"src":                {kind: fSrc, out: kIP},
		"dst":                {kind: fDst, out: kIP},
		"src_port":           {kind: fSrcPort, out: kInt},
		"dst_port":           {kind: fDstPort, out: kInt},
		"req.len":            {kind: fReqLen, out: kInt},
		"req_len":            {kind: fReqLen, out: kInt},
		"req.rdp_cookie":     {kind: fRDPCookie, out: kStr, args: argName},
		"req_rdp_cookie":     {kind: fRDPCookie, out: kStr, args: argName},
		"req.rdp_cookie_cnt": {kind: fRDPCookieCnt, out: kInt, args: argName},
		"req_rdp_cookie_cnt": {kind: fRDPCookieCnt, out: kInt, args: argName},
		"always_true":        {kind: fTrue, out: kBool},
		"always_false":       {kind: fFalse, out: kBool},
		"wait_end":           {kind: fWaitEnd, out: kBool},
	}
	// The ACL-only derivatives: <fetch>_<method> is <fetch> -m <method>.
	for base, def := range map[string]fetchDef{"hdr": m["hdr"], "path": m["path"], "url": m["url"], "base": m["base"], "urlp": m["urlp"]} {
		for _, s := range []string{"beg", "end", "sub", "reg", "dir", "dom", "len"} {
			d := def
			d.suffix = methodByName[s]
			m[base+"_"+s] = d
		}
	}
	return m
}()

// fetch is a compiled fetch keyword with its arguments.
type fetch struct {
	def     fetchDef
	keyword string
	hasArgs bool   // written with parentheses: `hdr` alone finds nothing, `hdr()` every header
	name    string // header, parameter or cookie name
	occ     int    // hdr occurrence; 0 = all (ACL) or last (sample)
	delim   byte   // url_param delimiter besides '?'
	fold    bool   // url_param name case-insensitive ("i")
}

// converter is a sample converter (`,lower`).
type converter uint8

const (
	convLower converter = iota
	convUpper
)

// unknownFetchError reports a keyword that is no fetch.
type unknownFetchError string

func (e unknownFetchError) Error() string {
	return fmt.Sprintf("unknown fetch method '%s'", string(e))
}

// parseCriterion parses `keyword[(args)][,converter...]`. what is how
// errors name the keyword ("ACL keyword" or "fetch method").
func parseCriterion(text, what string) (fetch, []converter, error) {
	kw := text
	rest := ""
	if i := strings.IndexAny(text, "(,"); i >= 0 {
		kw, rest = text[:i], text[i:]
	}
	def, ok := fetchDefs[kw]
	if !ok {
		return fetch{}, nil, unknownFetchError(kw)
	}
	f := fetch{def: def, keyword: kw}
	if strings.HasPrefix(rest, "(") {
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return fetch{}, nil, fmt.Errorf("%s '%s' : expected ')'", what, kw)
		}
		if err := f.parseArgs(rest[1:end], what); err != nil {
			return fetch{}, nil, err
		}
		rest = rest[end+1:]
		if rest != "" && rest[0] != ',' {
			return fetch{}, nil, fmt.Errorf("%s '%s' : missing comma after fetch keyword", what, kw)
		}
	}
	var convs []converter
	for rest != "" {
		// rest starts with ','.
		rest = rest[1:]
		name := rest
		if i := strings.IndexByte(rest, ','); i >= 0 {
			name, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		switch name {
		case "lower":
			convs = append(convs, convLower)
		case "upper":
			convs = append(convs, convUpper)
		default:
			return fetch{}, nil, fmt.Errorf("%s '%s' : unknown converter '%s' (hawser supports lower and upper)", what, kw, name)
		}
	}
	return f, convs, nil
}

// parseArgs parses the text between the parentheses.
func (f *fetch) parseArgs(s, what string) error {
	f.hasArgs = true
	args := strings.Split(s, ",")
	maxArgs := 0
	switch f.def.args {
	case argHdr:
		maxArgs = 2
	case argName:
		maxArgs = 1
	case argParam:
		maxArgs = 3
	}
	if s == "" {
		return nil
	}
	if len(args) > maxArgs {
		// Point at what follows the last accepted argument, as HAProxy does.
		off := 0
		for _, a := range args[:maxArgs] {
			off += len(a) + 1
		}
		if maxArgs == 0 {
			off = 0
		} else {
			off--
		}
		return fmt.Errorf("%s '%s' : expected ')' before '%s)'", what, f.keyword, s[off:])
	}
	f.name = args[0]
	switch f.def.args {
	case argHdr:
		if len(args) == 2 {
			n, err := strconv.Atoi(args[1])
			if err != nil {
				return fmt.Errorf("%s '%s' : failed to parse '%s' as type 'integer' at position 2", what, f.keyword, args[1])
			}
			f.occ = n
		}
	case argParam:
		if len(args) >= 2 && args[1] != "" {
			f.delim = args[1][0]
		}
		if len(args) == 3 {
			if args[2] != "i" && args[2] != "" {
				return fmt.Errorf("%s '%s' : the third argument must be 'i' (case-insensitive name), not '%s'", what, f.keyword, args[2])
			}
			f.fold = args[2] == "i"
		}
	}
	return nil
}

// payload reports fetches that read Txn.Payload or wait for it.
func (f *fetch) payload() bool {
	switch f.def.kind {
	case fReqLen, fRDPCookie, fRDPCookieCnt, fWaitEnd:
		return true
	}
	return false
}

// http reports fetches that need the parsed request.
func (f *fetch) http() bool {
	switch f.def.kind {
	case fSrc, fDst, fSrcPort, fDstPort, fTrue, fFalse:
		return false
	}
	return !f.payload()
}

// mayChange reports whether an answer built on this fetch could change as
// more of the request arrives (HAProxy's SMP_F_MAY_CHANGE), in which case a
// negative answer is "not yet" (Miss).
func (f *fetch) mayChange(t *Txn) bool {
	return t.More && (f.payload() || (t.Req == nil && f.http()))
}

// cursor is the iteration state of one fetch over one request.
type cursor struct {
	started bool
	hdr     hdrIter
	par     paramIter
}

// Static strings returned by fetches; never written to.
var (
	ver10 = []byte("1.0")
	ver11 = []byte("1.1")
)

// next stores the fetch's next value in v. With iterate (ACLs), multi-valued
// fetches (hdr, req.fhdr, hdr_val, hdr_ip, url_param) return each value in
// turn; otherwise (samples) they return a single value: the last header
// value by default, or occurrence occ, or the first URL parameter.
// Formatted values are appended to buf, which is returned.
func (f *fetch) next(t *Txn, c *cursor, iterate bool, v *value, buf []byte) ([]byte, bool) {
	first := !c.started
	c.started = true
	r := t.Req
	if f.http() && r == nil {
		return buf, false
	}
	switch f.def.kind {
	case fHdr, fFhdr, fHdrVal, fHdrIP:
		if !f.hasArgs {
			// HAProxy 2.6: `hdr` without parentheses finds nothing, while
			// `hdr()` sees every header.
			return buf, false
		}
		full := f.def.kind == fFhdr
		var s []byte
		for {
			if iterate && f.occ == 0 {
				if first {
					c.hdr.init(r.Headers, f.name, full)
				}
				var ok bool
				if s, ok = c.hdr.next(); !ok {
					return buf, false
				}
			} else {
				if !first {
					return buf, false
				}
				occ := f.occ
				if occ == 0 {
					occ = -1
				}
				var ok bool
				if s, ok = nthValue(r.Headers, f.name, full, occ); !ok {
					return buf, false
				}
			}
			first = false
			switch f.def.kind {
			case fHdrVal:
				*v = value{k: kInt, i: leadingIntC(s)}
				return buf, true
			case fHdrIP:
				// Values that are not addresses are skipped.
				if a, ok := parseSampleIP(s); ok {
					*v = value{k: kIP, ip: a}
					return buf, true
				}
				continue
			}
			*v = value{k: kStr, s: s}
			return buf, true
		}
	case fParam, fParamVal:
		if first {
			c.par.init(r.Target, f.name, f.delim, f.fold)
		} else if !iterate {
			return buf, false
		}
		s, ok := c.par.next()
		if !ok {
			return buf, false
		}
		if f.def.kind == fParamVal {
			*v = value{k: kInt, i: leadingIntC(s)}
			return buf, true
		}
		*v = value{k: kStr, s: s}
		return buf, true
	}
	if !first {
		return buf, false
	}
	switch f.def.kind {
	case fHdrCnt, fFhdrCnt:
		*v = value{k: kInt, i: int64(countValues(r.Headers, f.name, f.def.kind == fFhdrCnt))}
		return buf, true
	case fPath:
		if len(r.Path) == 0 {
			// "*", authority-form and "http://host" have no path.
			return buf, false
		}
		*v = value{k: kStr, s: r.Path}
		return buf, true
	case fURL:
		*v = value{k: kStr, s: r.Target}
		return buf, true
	case fBase:
		n := len(buf)
		buf = append(buf, r.Host...)
		buf = append(buf, r.Path...)
		*v = value{k: kStr, s: buf[n:]}
		return buf, true
	case fQuery:
		q, ok := queryOf(r.Target)
		*v = value{k: kStr, s: q}
		return buf, ok
	case fMethod:
		*v = value{k: kStr, s: r.Method}
		return buf, true
	case fVer:
		switch {
		case r.Major == 1 && r.Minor == 1:
			*v = value{k: kStr, s: ver11}
			return buf, true
		case r.Major == 1 && r.Minor == 0:
			*v = value{k: kStr, s: ver10}
			return buf, true
		}
		n := len(buf)
		buf = strconv.AppendInt(buf, int64(r.Major), 10)
		buf = append(buf, '.')
		buf = strconv.AppendInt(buf, int64(r.Minor), 10)
		*v = value{k: kStr, s: buf[n:]}
		return buf, true
	case fProtoHTTP:
		*v = value{k: kBool, i: 1}
		return buf, true
	case fSrc:
		*v = value{k: kIP, ip: t.Src}
		return buf, t.Src.IsValid()
	case fDst:
		*v = value{k: kIP, ip: t.Dst}
		return buf, t.Dst.IsValid()
	case fSrcPort:
		*v = value{k: kInt, i: int64(t.SrcPort)}
		return buf, true
	case fDstPort:
		*v = value{k: kInt, i: int64(t.DstPort)}
		return buf, true
	case fReqLen:
		*v = value{k: kInt, i: int64(len(t.Payload))}
		return buf, true
	case fRDPCookie:
		s, ok, _ := rdpCookie(t.Payload, f.name)
		*v = value{k: kStr, s: s}
		return buf, ok
	case fRDPCookieCnt:
		_, ok, more := rdpCookie(t.Payload, f.name)
		if more && t.More {
			return buf, false
		}
		n := int64(0)
		if ok {
			n = 1
		}
		*v = value{k: kInt, i: n}
		return buf, true
	case fTrue:
		*v = value{k: kBool, i: 1}
		return buf, true
	case fFalse:
		*v = value{k: kBool, i: 0}
		return buf, true
	case fWaitEnd:
		if t.More {
			return buf, false
		}
		*v = value{k: kBool, i: 1}
		return buf, true
	}
	return buf, false
}

// leadingIntC reads a header or parameter value as an integer the way
// hdr_val and urlp_val do: an optional '-' and the digits that follow, 0
// when there are none.
func leadingIntC(b []byte) int64 {
	if len(b) > 0 && b[0] == '+' {
		return 0
	}
	return leadingInt(b)
}
