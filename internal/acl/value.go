package acl

import (
	"net/netip"
	"strconv"
)

// kind is a sample's type (HAProxy's SMP_T_*), reduced to what hawser's
// fetches produce.
type kind uint8

const (
	kStr  kind = iota // string (binary-safe)
	kInt              // signed integer
	kIP               // IPv4 or IPv6 address
	kBool             // boolean, stored in i as 0 or 1
)

// value is one sample. s may alias the request, a package-level constant or
// the evaluation's scratch buffer: it is read-only.
type value struct {
	k  kind
	s  []byte
	i  int64
	ip netip.Addr
}

// asStr casts v to a string as HAProxy's sample casts do (decimal integers,
// textual addresses), appending to buf when it has to format; it returns the
// string and the possibly grown buf.
func (v *value) asStr(buf []byte) (s []byte, out []byte) {
	switch v.k {
	case kStr:
		return v.s, buf
	case kInt, kBool:
		n := len(buf)
		buf = strconv.AppendInt(buf, v.i, 10)
		return buf[n:], buf
	default:
		n := len(buf)
		buf = appendAddr(buf, v.ip)
		return buf[n:], buf
	}
}

// appendAddr formats a as HAProxy does through inet_ntop: like netip, except
// that IPv4-compatible IPv6 addresses keep the dotted form ("::10.1.2.3",
// not "::a01:203"); "::" and "::1" are not such addresses.
func appendAddr(buf []byte, a netip.Addr) []byte {
	if a.Is6() && !a.Is4In6() && a.Zone() == "" {
		b := a.As16()
		if isZero(b[:12]) && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1) {
			buf = append(buf, "::"...)
			return netip.AddrFrom4([4]byte(b[12:16])).AppendTo(buf)
		}
	}
	return a.AppendTo(buf)
}

// asInt casts v to an integer: strings are read as a leading optional sign
// and decimal digits ("12abc" is 12, "abc" is 0, "" has no value), IPv4
// addresses become their 32-bit value and IPv6 addresses have no integer
// value (HAProxy's c_str2int and c_ip2int).
func (v *value) asInt() (int64, bool) {
	switch v.k {
	case kInt, kBool:
		return v.i, true
	case kStr:
		if len(v.s) == 0 {
			return 0, false
		}
		return leadingInt(v.s), true
	default:
		if v.ip.Is4() {
			b := v.ip.As4()
			return int64(uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])), true
		}
		return 0, false
	}
}

// asIP casts v to an address: strings are parsed as a sample address (see
// parseSampleIP), integers are taken as an IPv4 address.
func (v *value) asIP() (netip.Addr, bool) {
	switch v.k {
	case kIP:
		return v.ip, v.ip.IsValid()
	case kStr:
		return parseSampleIP(v.s)
	default:
		if v.i < 0 || v.i > 0xffffffff {
			return netip.Addr{}, false
		}
		u := uint32(v.i)
		return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)}), true
	}
}

// leadingInt reads an optional sign and the decimal digits that follow,
// stopping at the first other byte; it saturates instead of overflowing.
func leadingInt(b []byte) int64 {
	neg := false
	i := 0
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	var n int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := int64(b[i] - '0')
		if n > (1<<63-1-d)/10 {
			n = 1<<63 - 1
			continue
		}
		n = n*10 + d
	}
	if neg {
		return -n
	}
	return n
}
