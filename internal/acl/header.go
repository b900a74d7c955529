package acl

import "github.com/hawser-lb/hawser/internal/h1"

// Header fetches see a header as a list of comma-separated values
// (HAProxy's http_find_header with full=0): a comma inside a double-quoted
// string does not separate, a backslash escapes the next byte inside quotes,
// and each value is trimmed of spaces and tabs. An empty field value is one
// empty value; "a," is "a" and "". The full-line fetches (req.fhdr) see one
// value per header line instead.

// nextElem returns the value of v that starts at off, and the offset of the
// next one (len(v)+1 after the last).
func nextElem(v []byte, off int) (elem []byte, next int) {
	i := off
	quoted, escaped := false, false
	for ; i < len(v); i++ {
		c := v[i]
		switch {
		case escaped:
			escaped = false
		case quoted:
			if c == '\\' {
				escaped = true
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == ',':
			return h1.TrimOWS(v[off:i]), i + 1
		}
	}
	return h1.TrimOWS(v[off:i]), len(v) + 1
}

// hdrIter walks the values of the headers called name (every header when
// name is empty), in wire order.
type hdrIter struct {
	hdrs []h1.Header
	name string
	full bool // one value per line (req.fhdr)
	h    int  // index of the current header
	off  int  // offset of the next value in it; -1 before the first
}

func (it *hdrIter) init(hdrs []h1.Header, name string, full bool) {
	*it = hdrIter{hdrs: hdrs, name: name, full: full, off: -1}
}

func (it *hdrIter) next() ([]byte, bool) {
	for it.h < len(it.hdrs) {
		hd := &it.hdrs[it.h]
		if it.off < 0 {
			if it.name != "" && !h1.EqualFoldString(hd.Name, it.name) {
				it.h++
				continue
			}
			it.off = 0
		}
		if it.off > len(hd.Value) || (it.full && it.off > 0) {
			it.h++
			it.off = -1
			continue
		}
		if it.full {
			it.off = 1
			return hd.Value, true
		}
		var e []byte
		e, it.off = nextElem(hd.Value, it.off)
		return e, true
	}
	return nil, false
}

// countValues counts the values next would return.
func countValues(hdrs []h1.Header, name string, full bool) int {
	var it hdrIter
	it.init(hdrs, name, full)
	n := 0
	for {
		if _, ok := it.next(); !ok {
			return n
		}
		n++
	}
}

// nthValue returns the occ-th value (1 = first, -1 = last, -2 the one
// before, ...), HAProxy's <occ> argument.
func nthValue(hdrs []h1.Header, name string, full bool, occ int) ([]byte, bool) {
	if occ < 0 {
		occ += countValues(hdrs, name, full) + 1
	}
	if occ <= 0 {
		return nil, false
	}
	var it hdrIter
	it.init(hdrs, name, full)
	for {
		v, ok := it.next()
		if !ok {
			return nil, false
		}
		if occ--; occ == 0 {
			return v, true
		}
	}
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}
