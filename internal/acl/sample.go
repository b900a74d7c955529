package acl

import (
	"encoding/binary"
	"fmt"
)

// Sample is a compiled sample expression, `fetch[(args)][,converter...]`,
// for log formats (%[...]) and `balance hash <expr>`. Unlike in an ACL, a
// multi-valued fetch gives a single value: for hdr and req.fhdr the last
// one unless an occurrence is given (`hdr(name,1)` is the first,
// `hdr(name,-2)` the one before last), for url_param the first.
type Sample struct {
	f    fetch
	conv []converter
	text string
}

// CompileSample compiles a sample expression. The ACL-only keywords
// (hdr_beg, path_len, ...) are not sample fetches and are refused, as in
// HAProxy.
func CompileSample(expr string) (*Sample, error) {
	if expr == "" {
		return nil, fmt.Errorf("missing fetch method")
	}
	f, conv, err := parseCriterion(expr, "fetch method")
	if err != nil {
		return nil, err
	}
	if f.def.suffix != mNone {
		return nil, fmt.Errorf("unknown fetch method '%s'", f.keyword)
	}
	return &Sample{f: f, conv: conv, text: expr}, nil
}

// Fetch returns the sample's value as text: strings as they are, integers
// in decimal, addresses in their usual notation, booleans as 1 or 0. ok is
// false when the request has no such sample. The value either aliases the
// request or is appended to buf (pass a reused buffer to avoid
// allocating); it is valid until either changes.
func (s *Sample) Fetch(t *Txn, buf []byte) (val []byte, ok bool) {
	v, buf, ok := s.fetch(t, buf)
	if !ok {
		return nil, false
	}
	val, _ = v.asStr(buf)
	return val, true
}

// FetchBin returns the sample's value cast to binary, the form HAProxy
// hashes for `balance hash`: strings as they are, integers and booleans as
// 8 bytes big-endian, IPv4 addresses as 4 bytes and IPv6 addresses as 16.
func (s *Sample) FetchBin(t *Txn, buf []byte) (val []byte, ok bool) {
	v, buf, ok := s.fetch(t, buf)
	if !ok {
		return nil, false
	}
	n := len(buf)
	switch v.k {
	case kStr:
		return v.s, true
	case kInt, kBool:
		buf = binary.BigEndian.AppendUint64(buf, uint64(v.i))
	default:
		if v.ip.Is4() {
			a := v.ip.As4()
			buf = append(buf, a[:]...)
		} else {
			a := v.ip.As16()
			buf = append(buf, a[:]...)
		}
	}
	return buf[n:], true
}

func (s *Sample) fetch(t *Txn, buf []byte) (value, []byte, bool) {
	var c cursor
	var v value
	buf, ok := s.f.next(t, &c, false, &v, buf)
	if !ok {
		return value{}, buf, false
	}
	if len(s.conv) > 0 {
		v, buf = convert(v, s.conv, buf)
	}
	return v, buf, true
}

// String returns the expression as compiled.
func (s *Sample) String() string {
	return s.text
}
