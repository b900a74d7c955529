package balance

import (
	"errors"
	"fmt"
	"strings"
)

// Spec is a backend's load-balancing configuration, from its `balance`,
// `hash-type` and `option allbackups` lines, already split into words.
type Spec struct {
	// Balance holds the words after `balance`, for example {"roundrobin"},
	// {"uri", "depth", "2"}, {"hdr(Host)", "use_domain_only"},
	// {"random(3)"} or {"hash", "req.cookie(sid)"}. Empty means roundrobin,
	// HAProxy 2.6's default.
	Balance []string
	// HashType holds the words after `hash-type`, for example
	// {"consistent", "djb2", "avalanche"}. Empty means map-based with sdbm.
	HashType []string
	// AllBackups is `option allbackups`: when no active server is usable,
	// balance over every usable backup server instead of only the first one.
	AllBackups bool
}

// kind is the parsed `balance` algorithm.
type kind uint8

const (
	kindRoundRobin kind = iota
	kindStaticRR
	kindLeastconn
	kindFirst
	kindRandom
	kindSource
	kindURI
	kindURLParam
	kindHdr
	kindRDPCookie
	kindHash
)

// names are the `balance` keywords, indexed by kind.
var names = [...]string{
	kindRoundRobin: "roundrobin",
	kindStaticRR:   "static-rr",
	kindLeastconn:  "leastconn",
	kindFirst:      "first",
	kindRandom:     "random",
	kindSource:     "source",
	kindURI:        "uri",
	kindURLParam:   "url_param",
	kindHdr:        "hdr",
	kindRDPCookie:  "rdp-cookie",
	kindHash:       "hash",
}

// hashed reports whether k maps a key to a server (HAProxy's "hash" kind of
// algorithms, which honour `hash-type`).
func (k kind) hashed() bool { return k >= kindSource }

// config is a validated Spec.
type config struct {
	kind       kind
	allBackups bool

	// hash-type
	consistent bool
	fn         hashFunc
	avalanche  bool

	draws int // random(<draws>)

	// uri
	uriWhole, uriPathOnly bool
	uriLen, uriDepth      int // 0 = no limit

	// url_param, hdr(), rdp-cookie(), hash: the parameter, header, cookie
	// name or sample expression.
	arg           string
	checkPost     bool // url_param ... check_post
	useDomainOnly bool // hdr(...) use_domain_only
}

// parseSpec validates s. Error texts are HAProxy 2.6's, without the final
// period, so that a configuration error reads the same in both programs.
func parseSpec(s Spec) (config, error) {
	c := config{allBackups: s.AllBackups, draws: 2}
	if err := c.parseBalance(s.Balance); err != nil {
		return c, fmt.Errorf("balance %w", err)
	}
	if err := c.parseHashType(s.HashType); err != nil {
		return c, &HashTypeError{err}
	}
	return c, nil
}

// HashTypeError is an error in the `hash-type` words rather than in
// `balance`, so that the caller reports it at the hash-type line.
type HashTypeError struct{ Err error }

func (e *HashTypeError) Error() string { return e.Err.Error() }

// Unwrap returns the error itself.
func (e *HashTypeError) Unwrap() error { return e.Err }

var errBalanceKeyword = errors.New("only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options")

// parseBalance parses the words after `balance`. Like HAProxy it ignores
// words after the ones an algorithm takes, except for uri and hash.
func (c *config) parseBalance(args []string) error {
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	a0 := arg(0)
	switch {
	case a0 == "" || a0 == "roundrobin":
		c.kind = kindRoundRobin
	case a0 == "static-rr":
		c.kind = kindStaticRR
	case a0 == "leastconn":
		c.kind = kindLeastconn
	case a0 == "first":
		c.kind = kindFirst
	case a0 == "source":
		c.kind = kindSource
	case strings.HasPrefix(a0, "random"):
		// HAProxy matches the prefix only: "randomly" is random too.
		c.kind = kindRandom
		rest := a0[len("random"):]
		if strings.HasPrefix(rest, "(") && !strings.HasPrefix(rest, "()") {
			n, tail := strtol(rest[1:], 0)
			switch {
			case tail == "":
				return errors.New("random : missing closing parenthesis")
			case tail[0] != ')':
				return fmt.Errorf("random : unexpected character '%c' after argument", tail[0])
			case n < 1:
				return errors.New("random : number of draws must be at least 1")
			}
			c.draws = int(min(n, 1<<20))
		}
	case a0 == "uri":
		c.kind = kindURI
		for i := 1; i < len(args); {
			switch args[i] {
			case "len", "depth":
				n := atoi(arg(i + 1))
				if n <= 0 {
					return fmt.Errorf("uri : '%s' expects a positive integer (got '%s')", args[i], arg(i+1))
				}
				if args[i] == "len" {
					c.uriLen = n
				} else {
					c.uriDepth = n
				}
				i += 2
			case "whole":
				c.uriWhole = true
				i++
			case "path-only":
				c.uriPathOnly = true
				i++
			default:
				return fmt.Errorf("uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '%s')", args[i])
			}
		}
	case a0 == "url_param":
		if arg(1) == "" {
			return errors.New("url_param requires an URL parameter name")
		}
		c.kind = kindURLParam
		c.arg = args[1]
		if a2 := arg(2); a2 != "" {
			if a2 != "check_post" {
				return fmt.Errorf("url_param only accepts 'check_post' modifier (got '%s')", a2)
			}
			c.checkPost = true
		}
	case a0 == "hash":
		if arg(1) == "" {
			return errors.New("hash requires a sample expression")
		}
		if a2 := arg(2); a2 != "" {
			return fmt.Errorf("hash takes no other argument (got '%s')", a2)
		}
		c.kind = kindHash
		c.arg = args[1]
	case strings.HasPrefix(a0, "hdr("):
		name, _, ok := strings.Cut(a0[len("hdr("):], ")")
		if !ok || name == "" {
			return errors.New("hdr requires an http header field name")
		}
		c.kind = kindHdr
		c.arg = name
		if a1 := arg(1); a1 != "" {
			if a1 != "use_domain_only" {
				return fmt.Errorf("%s only accepts 'use_domain_only' modifier (got '%s')", a0, a1)
			}
			c.useDomainOnly = true
		}
	case strings.HasPrefix(a0, "rdp-cookie"):
		c.kind = kindRDPCookie
		switch rest := a0[len("rdp-cookie"):]; {
		case rest == "":
			c.arg = "mstshash" // the cookie Microsoft's RDP client sends
		case rest[0] == '(':
			name, _, ok := strings.Cut(rest[1:], ")")
			if !ok || name == "" {
				return errors.New("rdp-cookie : missing cookie name")
			}
			c.arg = name
		default:
			return errors.New("rdp-cookie : missing cookie name")
		}
	default:
		return errBalanceKeyword
	}
	return nil
}

// parseHashType parses the words after `hash-type`. The "none" function
// (the key is a number already, typically from a converter) came with
// HAProxy 2.8; hawser accepts it too.
func (c *config) parseHashType(args []string) error {
	if len(args) == 0 {
		return nil
	}
	switch args[0] {
	case "consistent":
		c.consistent = true
	case "map-based":
	case "avalanche":
		return errors.New("experimental feature 'hash-type avalanche' is not supported anymore, please use 'hash-type map-based sdbm avalanche' instead")
	default:
		return errors.New("'hash-type' only supports 'consistent' and 'map-based'")
	}
	if len(args) < 2 || args[1] == "" {
		// No function: sdbm, plus avalanche for consistent hashing.
		c.avalanche = c.consistent
		return nil
	}
	switch args[1] {
	case "sdbm":
		c.fn = hashSDBM
	case "djb2":
		c.fn = hashDJB2
	case "wt6":
		c.fn = hashWT6
	case "crc32":
		c.fn = hashCRC32
	case "none":
		c.fn = hashNone
	default:
		return errors.New("'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions")
	}
	if len(args) > 2 && args[2] != "" {
		if args[2] != "avalanche" {
			return errors.New("'hash-type' only supports 'avalanche' as a modifier for hash functions")
		}
		c.avalanche = true
	}
	return nil
}

// lookupConsistent reports whether servers sit on the consistent-hash ring
// (consistent hashing and random) rather than in the static map (static-rr
// and map-based hashing).
func (c *config) lookupConsistent() bool {
	return c.kind == kindRandom || c.kind.hashed() && c.consistent
}

// dynamic reports whether weights may change at run time to any value
// (HAProxy's BE_LB_PROP_DYN); static algorithms only accept 0% and 100%.
func (c *config) dynamic() bool {
	switch c.kind {
	case kindStaticRR:
		return false
	case kindRoundRobin, kindLeastconn, kindFirst, kindRandom:
		return true
	}
	return c.consistent
}

// atoi converts the leading decimal integer of s like C's atoi: leading
// white space and a sign are accepted, parsing stops at the first non-digit,
// and no digits give 0.
func atoi(s string) int {
	n, _ := strtol(s, 10)
	return int(max(min(n, 1<<31-1), -1<<31))
}

// strtol converts the leading integer of s like C's strtol, returning the
// value (saturated) and the unparsed rest. Base 0 accepts the 0x and 0
// prefixes of hexadecimal and octal numbers.
func strtol(s string, base int) (int64, string) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if (base == 0 || base == 16) && i+2 < len(s) && s[i] == '0' && s[i+1]|0x20 == 'x' && digit(s[i+2]) < 16 {
		i += 2
		base = 16
	}
	if base == 0 {
		base = 10
		if i < len(s) && s[i] == '0' {
			base = 8
		}
	}
	start := i
	var n uint64
	over := false
	for ; i < len(s); i++ {
		d := digit(s[i])
		if d >= base {
			break
		}
		if n > (1<<63)/uint64(base) {
			over = true
		}
		n = n*uint64(base) + uint64(d)
	}
	if i == start {
		return 0, s // no digits: nothing is consumed
	}
	switch {
	case neg && (over || n > 1<<63):
		return -1 << 63, s[i:]
	case neg:
		return -int64(n), s[i:]
	case over || n > 1<<63-1:
		return 1<<63 - 1, s[i:]
	}
	return int64(n), s[i:]
}

// digit returns the value of the digit c in bases up to 36, or 36.
func digit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 36
}
