package acl

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hawser-lb/hawser/internal/h1"
)

// patSet is the compiled pattern list of one ACL expression. Patterns are
// preprocessed once (lower-cased for -i, parsed, compiled) so that matching
// neither parses nor allocates.
type patSet struct {
	m method

	// Strings for str, bin, beg, end, sub, dir, dom and meth: scanned while
	// the set is small. For str, beg and end, large sets are indexed by
	// exact (case-sensitive) and folded (-i, lower-case) maps, probed once
	// per distinct pattern length for beg and end.
	list      []strPat
	exact     map[string]struct{}
	folded    map[string]struct{}
	exactLens []int
	foldLens  []int
	longFold  []strPat // -i patterns too long for the lower-casing buffer

	regs []*regexp.Regexp
	ints []intRange
	ips  ipSet
}

// strPat is a string pattern of str, bin, beg, end, sub, dir, dom or meth.
type strPat struct {
	s     string // lower-case when fold (except for mMeth)
	fold  bool
	known bool // mMeth: s is a method HAProxy knows by name
}

// intRange is an integer pattern: "n", "lo:hi", ":hi" or "lo:".
type intRange struct {
	lo, hi       int64
	hasLo, hasHi bool
}

func (r intRange) has(v int64) bool {
	return (!r.hasLo || v >= r.lo) && (!r.hasHi || v <= r.hi)
}

// indexThreshold is the number of patterns above which str, beg and end
// sets are indexed instead of scanned.
const indexThreshold = 8

// foldBufLen bounds the stack buffer used to lower-case a sample for a
// folded map lookup.
const foldBufLen = 256

// add compiles one pattern with the current -i and -n flags.
func (p *patSet) add(pat string, fold, noDNS bool) error {
	switch p.m {
	case mFound, mBool:
		// HAProxy 2.6 accepts and ignores patterns here.
		return nil
	case mInt, mLen:
		r, err := parseIntPattern(pat)
		if err != nil {
			return err
		}
		p.ints = append(p.ints, r)
	case mIP:
		ip, err := parseIPPattern(pat, noDNS)
		if err != nil {
			return err
		}
		p.ips.add(ip)
	case mReg:
		expr := pat
		if fold {
			expr = "(?i)" + pat
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "invalid or unsupported Perl syntax") || strings.Contains(msg, "invalid escape sequence") ||
				strings.Contains(msg, "invalid nested repetition operator") {
				msg += "; hawser uses Go's RE2 syntax: PCRE look-around, back-references, possessive quantifiers and atomic groups are not supported"
			}
			return fmt.Errorf("regex '%s' is invalid (error=%s)", pat, msg)
		}
		p.regs = append(p.regs, re)
	case mBin:
		b, err := hex.DecodeString(pat)
		if err != nil {
			return fmt.Errorf("'%s' is not a valid hex string", pat)
		}
		p.list = append(p.list, strPat{s: string(b)})
	case mDir:
		p.addStr(trimDelims(pat, dirDelims), fold)
	case mDom:
		p.addStr(trimDelims(pat, domDelims), fold)
	default:
		p.addStr(pat, fold)
	}
	return nil
}

func (p *patSet) addStr(s string, fold bool) {
	if p.m == mMeth {
		p.list = append(p.list, strPat{s: s, fold: fold, known: knownMethod([]byte(s))})
		return
	}
	if fold {
		s = strings.ToLower(s)
	}
	p.list = append(p.list, strPat{s: s, fold: fold})
}

// finish builds the indexes once every pattern is in.
func (p *patSet) finish() {
	if (p.m != mStr && p.m != mBin && p.m != mBeg && p.m != mEnd) || len(p.list) <= indexThreshold {
		return
	}
	p.exact = map[string]struct{}{}
	p.folded = map[string]struct{}{}
	exactLens, foldLens := map[int]bool{}, map[int]bool{}
	for _, sp := range p.list {
		switch {
		case !sp.fold:
			p.exact[sp.s] = struct{}{}
			exactLens[len(sp.s)] = true
		case len(sp.s) <= foldBufLen:
			p.folded[sp.s] = struct{}{}
			foldLens[len(sp.s)] = true
		default:
			p.longFold = append(p.longFold, sp)
		}
	}
	p.list = nil
	p.exactLens = sortedKeys(exactLens)
	p.foldLens = sortedKeys(foldLens)
}

func sortedKeys(m map[int]bool) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	return ks
}

// parseIntPattern parses an integer pattern. As in HAProxy, '-' separates
// a range like ':' does, so "-5" means ":5" (up to 5); write a negative
// bound after the separator ("-10:-5" is not expressible).
func parseIntPattern(s string) (intRange, error) {
	if s == "" {
		return intRange{}, fmt.Errorf("'%s' is not a number", s)
	}
	sep := strings.IndexAny(s, ":-")
	if sep < 0 {
		n, err := parseInt64(s)
		if err != nil {
			return intRange{}, fmt.Errorf("'%s' is not a number", s)
		}
		return intRange{lo: n, hi: n, hasLo: true, hasHi: true}, nil
	}
	bad := fmt.Errorf("'%s' is not a valid number range", s)
	var r intRange
	if lo := s[:sep]; lo != "" {
		n, err := parseInt64(lo)
		if err != nil {
			return intRange{}, bad
		}
		r.lo, r.hasLo = n, true
	}
	if hi := s[sep+1:]; hi != "" {
		n, err := parseInt64(hi)
		if err != nil {
			return intRange{}, bad
		}
		r.hi, r.hasHi = n, true
	}
	if !r.hasLo && !r.hasHi {
		return intRange{}, bad
	}
	return r, nil
}

func parseInt64(s string) (int64, error) {
	if s == "" || s[0] == '+' {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(s, 10, 64)
}

// operatorPattern turns `OP value` (eq, ge, gt, le, lt) into a range
// pattern, as HAProxy's compatibility layer does. Values containing ':' or
// '-' are ranges already and keep their meaning.
func operatorPattern(op, v string) (string, error) {
	if op == "eq" || strings.ContainsAny(v, ":-") {
		return v, nil
	}
	n, err := parseInt64(v)
	if err != nil {
		return "", fmt.Errorf("'%s' is neither a number nor a supported operator", v)
	}
	switch op {
	case "gt":
		return strconv.FormatInt(n+1, 10) + ":", nil
	case "ge":
		return v + ":", nil
	case "lt":
		return ":" + strconv.FormatInt(n-1, 10), nil
	}
	return ":" + v, nil // le
}

func isOperator(w string) bool {
	switch w {
	case "eq", "ge", "gt", "le", "lt":
		return true
	}
	return false
}

// match tests one sample value. buf is scratch space for casts; the grown
// buffer is returned so that it can be reused.
func (p *patSet) match(v *value, buf []byte) (bool, []byte) {
	switch p.m {
	case mFound:
		return true, buf
	case mBool:
		n, ok := v.asInt()
		return ok && n != 0, buf
	case mInt:
		n, ok := v.asInt()
		return ok && p.matchInt(n), buf
	case mIP:
		a, ok := v.asIP()
		return ok && p.ips.match(a), buf
	}
	s, buf := v.asStr(buf)
	switch p.m {
	case mLen:
		return p.matchInt(int64(len(s))), buf
	case mReg:
		for _, re := range p.regs {
			if re.Match(s) {
				return true, buf
			}
		}
		return false, buf
	case mStr, mBin:
		return p.matchStr(s), buf
	case mBeg:
		return p.matchBeg(s), buf
	case mEnd:
		return p.matchEnd(s), buf
	case mSub:
		for _, sp := range p.list {
			if containsAt(s, sp.s, sp.fold) {
				return true, buf
			}
		}
	case mDir, mDom:
		delims := dirDelims
		if p.m == mDom {
			delims = domDelims
		}
		for _, sp := range p.list {
			if matchWord(s, sp.s, sp.fold, delims) {
				return true, buf
			}
		}
	case mMeth:
		return p.matchMeth(s), buf
	}
	return false, buf
}

func (p *patSet) matchInt(n int64) bool {
	for _, r := range p.ints {
		if r.has(n) {
			return true
		}
	}
	return false
}

func (p *patSet) matchStr(s []byte) bool {
	if p.exact == nil {
		for _, sp := range p.list {
			if equalAt(s, sp.s, sp.fold) {
				return true
			}
		}
		return false
	}
	if _, ok := p.exact[string(s)]; ok {
		return true
	}
	if len(p.folded) > 0 && len(s) <= foldBufLen {
		var a [foldBufLen]byte
		for i, c := range s {
			a[i] = lower(c)
		}
		if _, ok := p.folded[string(a[:len(s)])]; ok {
			return true
		}
	}
	for _, sp := range p.longFold {
		if equalAt(s, sp.s, true) {
			return true
		}
	}
	return false
}

func (p *patSet) matchBeg(s []byte) bool {
	if p.exact == nil {
		for _, sp := range p.list {
			if hasPrefixAt(s, sp.s, sp.fold) {
				return true
			}
		}
		return false
	}
	for _, l := range p.exactLens {
		if l > len(s) {
			break
		}
		if _, ok := p.exact[string(s[:l])]; ok {
			return true
		}
	}
	if len(p.foldLens) > 0 {
		var a [foldBufLen]byte
		k := min(len(s), foldBufLen)
		for i := 0; i < k; i++ {
			a[i] = lower(s[i])
		}
		for _, l := range p.foldLens {
			if l > k {
				break
			}
			if _, ok := p.folded[string(a[:l])]; ok {
				return true
			}
		}
	}
	for _, sp := range p.longFold {
		if hasPrefixAt(s, sp.s, true) {
			return true
		}
	}
	return false
}

func (p *patSet) matchEnd(s []byte) bool {
	if p.exact == nil {
		for _, sp := range p.list {
			if hasSuffixAt(s, sp.s, sp.fold) {
				return true
			}
		}
		return false
	}
	for _, l := range p.exactLens {
		if l > len(s) {
			break
		}
		if _, ok := p.exact[string(s[len(s)-l:])]; ok {
			return true
		}
	}
	if len(p.foldLens) > 0 {
		var a [foldBufLen]byte
		k := min(len(s), foldBufLen)
		tail := s[len(s)-k:]
		for i := 0; i < k; i++ {
			a[i] = lower(tail[i])
		}
		for _, l := range p.foldLens {
			if l > k {
				break
			}
			if _, ok := p.folded[string(a[k-l:k])]; ok {
				return true
			}
		}
	}
	for _, sp := range p.longFold {
		if hasSuffixAt(s, sp.s, true) {
			return true
		}
	}
	return false
}

// matchMeth is the default matching of the `method` fetch (HAProxy's
// pat_match_meth, observed on 2.6.12): the eight methods HAProxy knows
// (GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, CONNECT) are identified by
// their exact upper-case name, so `method get` does not match "GET" even
// with -i; other methods are compared as strings, case-insensitively with
// -i (`method -i patch` matches "PATCH" and "patch").
func (p *patSet) matchMeth(s []byte) bool {
	known := knownMethod(s)
	for _, sp := range p.list {
		if known || sp.known {
			if string(s) == sp.s {
				return true
			}
			continue
		}
		if sp.fold && h1.EqualFoldString(s, sp.s) || string(s) == sp.s {
			return true
		}
	}
	return false
}
