package acl

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// ipPattern is one compiled IP pattern: an IPv4 network with an arbitrary
// (even non-contiguous) mask, or an IPv6 prefix.
type ipPattern struct {
	v6   bool
	net4 uint32
	msk4 uint32
	pfx6 netip.Prefix
}

// parseIPPattern parses an `-m ip` pattern as HAProxy does
// (configuration.txt §7.1.6): "a.b.c.d", "a.b.c.d/bits", "a.b.c.d/m.m.m.m",
// and IPv6 literals with an optional "/bits". Without -n, IPv4 addresses
// made of digits and dots alone take inet_aton's forms, as they do when
// HAProxy hands them to the resolver: "127.1" is 127.0.0.1, "10.1.2" is
// 10.1.0.2 and a leading 0 means octal. Host names are refused.
func parseIPPattern(p string, noDNS bool) (ipPattern, error) {
	bad := fmt.Errorf("'%s' is not a valid IPv4 or IPv6 address", p)
	addr, mask, hasMask := strings.Cut(p, "/")
	if strings.Contains(addr, ":") {
		a, err := netip.ParseAddr(addr)
		if err != nil || a.Zone() != "" {
			return ipPattern{}, bad
		}
		bits := 128
		if hasMask {
			n, err := strconv.Atoi(mask)
			if err != nil || n < 0 || n > 128 || mask[0] == '+' || mask[0] == '-' {
				return ipPattern{}, bad
			}
			bits = n
		}
		pfx, err := a.Prefix(bits)
		if err != nil {
			return ipPattern{}, bad
		}
		return ipPattern{v6: true, pfx6: pfx}, nil
	}
	var ip uint32
	var ok bool
	if a, err := netip.ParseAddr(addr); err == nil && a.Is4() {
		ip, ok = v4uint(a), true
	} else if !noDNS {
		ip, ok = parseInetAton(addr)
	}
	if !ok {
		return ipPattern{}, bad
	}
	msk := ^uint32(0)
	if hasMask {
		if m, err := netip.ParseAddr(mask); err == nil && m.Is4() {
			msk = v4uint(m)
		} else {
			n, err := strconv.Atoi(mask)
			if err != nil || n < 0 || n > 32 || mask[0] == '+' || mask[0] == '-' {
				return ipPattern{}, bad
			}
			msk = 0
			if n > 0 {
				msk = ^uint32(0) << (32 - n)
			}
		}
	}
	return ipPattern{net4: ip & msk, msk4: msk}, nil
}

// parseInetAton parses 1 to 4 dot-separated numbers the way inet_aton does
// (the last number fills the remaining bytes; a leading 0 means octal), but
// only for strings of digits and dots with no trailing dot: those are the
// strings the C resolver turns into addresses without a DNS query.
func parseInetAton(s string) (uint32, bool) {
	if s == "" || s[len(s)-1] == '.' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return 0, false
		}
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return 0, false
	}
	var nums [4]uint64
	for i, p := range parts {
		if p == "" {
			return 0, false
		}
		base := 10
		if len(p) > 1 && p[0] == '0' {
			base = 8
		}
		n, err := strconv.ParseUint(p, base, 32)
		if err != nil {
			return 0, false
		}
		nums[i] = n
	}
	last := len(parts) - 1
	// Each leading part is one byte; the last one fills what is left.
	var v uint64
	for i := 0; i < last; i++ {
		if nums[i] > 0xff {
			return 0, false
		}
		v |= nums[i] << (24 - 8*i)
	}
	if nums[last] >= 1<<(8*(4-last)) {
		return 0, false
	}
	return uint32(v | nums[last]), true
}

func v4uint(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// parseSampleIP converts a string sample to an address, as HAProxy's
// string-to-address cast and hdr_ip do: an IPv4 address is four decimal
// bytes and may be followed by anything ("10.1.2.3:80" is 10.1.2.3); an
// IPv6 address must be the whole string.
func parseSampleIP(b []byte) (netip.Addr, bool) {
	if a, ok := parseV4Prefix(b); ok {
		return a, true
	}
	return parseV6(b)
}

// parseV6 parses a whole IPv6 literal (inet_pton's syntax: hex groups, one
// "::", an optional trailing dotted IPv4 address, no zone). It is written
// out because netip.ParseAddr needs a string and allocates its errors, and
// this runs on header values at request time.
func parseV6(b []byte) (netip.Addr, bool) {
	var out [16]byte
	ellipsis := -1 // byte offset in out where "::" was seen
	i, n := 0, 0   // position in b, bytes written to out
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis = 0
		i = 2
		if i == len(b) {
			return netip.AddrFrom16(out), true
		}
	}
	for i < len(b) && n < 16 {
		// An IPv4 tail takes the last four bytes.
		if n <= 12 && bytes.IndexByte(b[i:], '.') >= 0 && bytes.IndexByte(b[i:], ':') < 0 {
			v4, ok := parseV4Prefix(b[i:])
			if !ok || !isDottedQuadLen(b[i:]) {
				return netip.Addr{}, false
			}
			a := v4.As4()
			copy(out[n:], a[:])
			n += 4
			i = len(b)
			break
		}
		v, digits := 0, 0
		for i < len(b) && digits < 5 {
			c := b[i]
			var d int
			switch {
			case c >= '0' && c <= '9':
				d = int(c - '0')
			case c >= 'a' && c <= 'f':
				d = int(c-'a') + 10
			case c >= 'A' && c <= 'F':
				d = int(c-'A') + 10
			default:
				d = -1
			}
			if d < 0 {
				break
			}
			v = v<<4 | d
			digits++
			i++
		}
		if digits == 0 || digits > 4 {
			return netip.Addr{}, false
		}
		out[n], out[n+1] = byte(v>>8), byte(v)
		n += 2
		if i == len(b) {
			break
		}
		if b[i] != ':' || i+1 == len(b) {
			return netip.Addr{}, false
		}
		i++
		if b[i] == ':' {
			if ellipsis >= 0 {
				return netip.Addr{}, false
			}
			ellipsis = n
			i++
			if i == len(b) {
				break
			}
		}
	}
	if i != len(b) {
		return netip.Addr{}, false
	}
	if n < 16 {
		if ellipsis < 0 {
			return netip.Addr{}, false
		}
		k := 16 - n
		copy(out[ellipsis+k:], out[ellipsis:n])
		for j := ellipsis; j < ellipsis+k; j++ {
			out[j] = 0
		}
	} else if ellipsis >= 0 {
		// "::" must stand for at least one group of zeros.
		return netip.Addr{}, false
	}
	return netip.AddrFrom16(out), true
}

// isDottedQuadLen reports whether b is exactly a dotted quad without
// leading zeros, as the IPv4 tail of an IPv6 literal must be (inet_pton).
func isDottedQuadLen(b []byte) bool {
	dots := 0
	for i, c := range b {
		switch {
		case c == '.':
			dots++
		case c < '0' || c > '9':
			return false
		case c == '0' && (i == 0 || b[i-1] == '.') && i+1 < len(b) && b[i+1] != '.':
			return false
		}
	}
	return dots == 3
}

// parseV4Prefix reads a dotted-quad IPv4 address at the start of b.
func parseV4Prefix(b []byte) (netip.Addr, bool) {
	var out [4]byte
	i := 0
	for part := 0; part < 4; part++ {
		if part > 0 {
			if i >= len(b) || b[i] != '.' {
				return netip.Addr{}, false
			}
			i++
		}
		start := i
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' && i-start < 3 {
			n = n*10 + int(b[i]-'0')
			i++
		}
		if i == start || n > 255 || (i < len(b) && b[i] >= '0' && b[i] <= '9') {
			return netip.Addr{}, false
		}
		out[part] = byte(n)
	}
	return netip.AddrFrom4(out), true
}

// ipSet matches addresses against IP patterns with HAProxy's IPv4/IPv6
// rules (configuration.txt §7.1.6):
//   - IPv4 against IPv4 patterns;
//   - IPv6 against IPv6 patterns, and also against IPv4 patterns when it
//     embeds an IPv4 address (::ffff:a.b.c.d, ::a.b.c.d or 2002:AABB:CCDD::);
//   - IPv4 against IPv6 patterns as ::ffff:a.b.c.d.
//
// Patterns are grouped by mask so that a lookup costs one probe per
// distinct mask, whatever the number of patterns.
type ipSet struct {
	v4 []v4Group
	v6 []v6Group
}

type v4Group struct {
	mask uint32
	list []uint32            // few networks: scanned
	set  map[uint32]struct{} // many networks
}

type v6Group struct {
	bits int
	list []netip.Addr
	set  map[netip.Addr]struct{}
}

// smallGroup is the size under which a linear scan beats hashing.
const smallGroup = 8

func (s *ipSet) add(p ipPattern) {
	if p.v6 {
		bits, a := p.pfx6.Bits(), p.pfx6.Addr()
		for i := range s.v6 {
			if g := &s.v6[i]; g.bits == bits {
				g.add(a)
				return
			}
		}
		s.v6 = append(s.v6, v6Group{bits: bits})
		s.v6[len(s.v6)-1].add(a)
		return
	}
	for i := range s.v4 {
		if g := &s.v4[i]; g.mask == p.msk4 {
			g.add(p.net4)
			return
		}
	}
	s.v4 = append(s.v4, v4Group{mask: p.msk4})
	s.v4[len(s.v4)-1].add(p.net4)
}

func (g *v4Group) add(n uint32) {
	if g.set != nil {
		g.set[n] = struct{}{}
		return
	}
	g.list = append(g.list, n)
	if len(g.list) > smallGroup {
		g.set = make(map[uint32]struct{}, len(g.list))
		for _, x := range g.list {
			g.set[x] = struct{}{}
		}
		g.list = nil
	}
}

func (g *v6Group) add(a netip.Addr) {
	if g.set != nil {
		g.set[a] = struct{}{}
		return
	}
	g.list = append(g.list, a)
	if len(g.list) > smallGroup {
		g.set = make(map[netip.Addr]struct{}, len(g.list))
		for _, x := range g.list {
			g.set[x] = struct{}{}
		}
		g.list = nil
	}
}

func (s *ipSet) match(a netip.Addr) bool {
	if a.Is4() {
		if s.match4(v4uint(a)) {
			return true
		}
		return len(s.v6) > 0 && s.match6(netip.AddrFrom16(a.As16()))
	}
	if !a.Is6() {
		return false
	}
	a = a.WithZone("")
	if s.match6(a) {
		return true
	}
	if len(s.v4) == 0 {
		return false
	}
	b := a.As16()
	switch {
	case isZero(b[0:8]) && (isZero(b[8:12]) || (b[10] == 0xff && b[11] == 0xff && isZero(b[8:10]))):
		// ::a.b.c.d (IPv4-compatible) and ::ffff:a.b.c.d (IPv4-mapped)
		return s.match4(uint32(b[12])<<24 | uint32(b[13])<<16 | uint32(b[14])<<8 | uint32(b[15]))
	case b[0] == 0x20 && b[1] == 0x02:
		// 2002:AABB:CCDD::/48 (6to4)
		return s.match4(uint32(b[2])<<24 | uint32(b[3])<<16 | uint32(b[4])<<8 | uint32(b[5]))
	}
	return false
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func (s *ipSet) match4(ip uint32) bool {
	for i := range s.v4 {
		g := &s.v4[i]
		if inGroup(g.set, g.list, ip&g.mask) {
			return true
		}
	}
	return false
}

// inGroup reports n in a group of networks of one prefix length: in its
// set when it has one (many networks), else in its short list.
func inGroup[K comparable](set map[K]struct{}, list []K, n K) bool {
	if set != nil {
		_, ok := set[n]
		return ok
	}
	return slices.Contains(list, n)
}

func (s *ipSet) match6(a netip.Addr) bool {
	for i := range s.v6 {
		g := &s.v6[i]
		p, err := a.Prefix(g.bits)
		if err != nil {
			continue
		}
		if inGroup(g.set, g.list, p.Addr()) {
			return true
		}
	}
	return false
}
