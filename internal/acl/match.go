package acl

// method is a pattern matching method (`-m`, configuration.txt §7.1.3).
type method uint8

const (
	mNone  method = iota // not chosen: the fetch's type decides
	mFound               // the sample exists
	mBool                // the sample is true (non-zero)
	mInt                 // integer equal or in range
	mIP                  // address in network
	mBin                 // binary equal to a hex pattern
	mLen                 // length in range
	mStr                 // exact
	mSub                 // substring
	mReg                 // regular expression
	mBeg                 // prefix
	mEnd                 // suffix
	mDir                 // '/'-delimited segment
	mDom                 // '.'-delimited domain segment
	mMeth                // `method`'s own matching (see matchMeth)
)

var methodByName = map[string]method{
	"found": mFound, "bool": mBool, "int": mInt, "ip": mIP, "bin": mBin,
	"len": mLen, "str": mStr, "sub": mSub, "reg": mReg, "beg": mBeg,
	"end": mEnd, "dir": mDir, "dom": mDom,
}

func (m method) String() string {
	if m == mMeth {
		return "meth"
	}
	for k, v := range methodByName {
		if v == m {
			return k
		}
	}
	return "none"
}

// defaultMethod is the matching used without -m: by sample type
// (configuration.txt §7.1.3), and the method match for `method`.
func defaultMethod(f *fetch) method {
	if f.def.kind == fMethod {
		return mMeth
	}
	switch f.def.out {
	case kInt:
		return mInt
	case kIP:
		return mIP
	case kBool:
		return mBool
	}
	return mStr
}

// needsPatterns reports methods that never match without patterns.
func (m method) needsPatterns() bool {
	return m != mFound && m != mBool
}

// Delimiters of the word matches (HAProxy's -m dir and -m dom, observed on
// 2.6.12: `url_dir foo` matches "/foo?x", so '?' delimits dir too).
const (
	dirDelims = "/?"
	domDelims = "/?.:"
)

func isDelim(c byte, delims string) bool {
	for i := 0; i < len(delims); i++ {
		if delims[i] == c {
			return true
		}
	}
	return false
}

// trimDelims strips leading and trailing delimiters from a dir/dom pattern,
// so `path_dom /b/` is `path_dom b`.
func trimDelims(p, delims string) string {
	for len(p) > 0 && isDelim(p[0], delims) {
		p = p[1:]
	}
	for len(p) > 0 && isDelim(p[len(p)-1], delims) {
		p = p[:len(p)-1]
	}
	return p
}

// matchWord reports whether pattern p (already trimmed of delimiters, and
// lower-case when fold) occurs in s starting at the beginning of s or after
// a delimiter, and ending at the end of s or before a delimiter. An empty
// pattern never matches.
func matchWord(s []byte, p string, fold bool, delims string) bool {
	if p == "" {
		return false
	}
	atStart := true
	for i := 0; i+len(p) <= len(s); i++ {
		c := s[i]
		if isDelim(c, delims) {
			atStart = true
			continue
		}
		if !atStart {
			continue
		}
		atStart = false
		if hasPrefixAt(s[i:], p, fold) && (i+len(p) == len(s) || isDelim(s[i+len(p)], delims)) {
			return true
		}
	}
	return false
}

// hasPrefixAt reports whether s starts with p; with fold, p is lower-case
// and s is compared case-insensitively (ASCII).
func hasPrefixAt(s []byte, p string, fold bool) bool {
	if len(s) < len(p) {
		return false
	}
	if !fold {
		return string(s[:len(p)]) == p
	}
	for i := 0; i < len(p); i++ {
		if lower(s[i]) != p[i] {
			return false
		}
	}
	return true
}

func hasSuffixAt(s []byte, p string, fold bool) bool {
	if len(s) < len(p) {
		return false
	}
	return hasPrefixAt(s[len(s)-len(p):], p, fold)
}

func equalAt(s []byte, p string, fold bool) bool {
	return len(s) == len(p) && hasPrefixAt(s, p, fold)
}

// containsAt reports whether p occurs in s.
func containsAt(s []byte, p string, fold bool) bool {
	if p == "" {
		return true
	}
	if len(p) > len(s) {
		return false
	}
	c0 := p[0]
	for i := 0; i+len(p) <= len(s); i++ {
		c := s[i]
		if fold {
			c = lower(c)
		}
		if c == c0 && hasPrefixAt(s[i:], p, fold) {
			return true
		}
	}
	return false
}

// knownMethods are the methods HAProxy 2.6 identifies by name
// (HTTP_METH_*); any other method is compared as a string.
var knownMethods = []string{"OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT"}

func knownMethod(s []byte) bool {
	for _, k := range knownMethods {
		if string(s) == k {
			return true
		}
	}
	return false
}
