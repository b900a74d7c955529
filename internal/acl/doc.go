// Package acl compiles HAProxy ACLs, conditions and sample fetches, and
// evaluates them against a request without allocating.
//
// The configuration side is [Set.Declare] for `acl NAME CRITERION [flags]
// [patterns...]` lines and [Set.Cond] for `if|unless` conditions; both
// produce immutable objects that are safe for concurrent evaluation once the
// configuration is compiled. [CompileSample] compiles a single sample
// expression for log formats and `balance hash`.
//
// At run time the proxy fills a [Txn] per request (reusing it) and calls
// [Cond.Eval] (HTTP) or [Cond.Exec] (tcp-request content inspection, where
// the answer may be "not yet").
//
// Behaviour follows HAProxy 2.6 (configuration.txt §7 "Using ACLs and
// fetching samples"), checked against haproxy 2.6.12 where the manual is
// silent. Deliberate differences:
//
//   - Regular expressions use Go's RE2 syntax ([regexp]), not PCRE. Patterns
//     using PCRE-only constructs (look-around, back-references, possessive
//     quantifiers, atomic groups, \K ...) are refused when the ACL is
//     declared, with the Go parser's explanation.
//   - IP patterns never resolve host names: only numeric IPv4 (including the
//     inet_aton short forms such as "127.1" that HAProxy accepts through the
//     resolver) and IPv6 literals are accepted.
//   - A suffixed ACL keyword (hdr_beg, path_end, ...) followed by `-m` is an
//     error; HAProxy 2.6 silently lets the `-m` override the suffix.
//   - An empty condition (`if` alone, or only `!`/`or` words) is an error;
//     HAProxy 2.6 accepts it as "never" (`unless`: "always").
//   - Only the `lower` and `upper` converters are supported.
//   - url_param/urlp accept a third argument "i" (case-insensitive name) as
//     later HAProxy versions do; 2.6 refuses it.
//
// Observed HAProxy 2.6.12 behaviour that this package reproduces and that
// the manual does not spell out: `hdr` without parentheses finds nothing
// while `hdr()` sees every header; header values split on commas outside
// double quotes; `method GET` is case-sensitive even with -i for the eight
// methods HAProxy knows; '?' delimits `-m dir` words; a leading '-' in an
// integer pattern is a range separator ("-- -5" means ":5"); `-f` files
// keep trailing blanks and treat '#' as a comment only in the first column;
// an empty word ends an ACL or a condition.
package acl
