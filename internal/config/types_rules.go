package config

import "time"

// HTTPChk is `option httpchk [<method>] [<uri>] [<version>]`.
type HTTPChk struct {
	// Method is the check request method. Default OPTIONS.
	Method string
	// URI is the check request URI. Default "/".
	URI string
	// Version is the HTTP version of the check request. Default HTTP/1.0.
	Version string
}

// Rule is a statement whose arguments another package interprets (the
// health checker reads `http-check` and `tcp-check` rules, the proxy reads
// `http-request` rules). Words keeps the arguments as written, after the
// keyword and the action.
type Rule struct {
	Pos Pos
	// Action is the word after the keyword, e.g. "expect", "set-header".
	Action string
	// Words are the remaining words, condition included (starting at
	// "if" or "unless"); Cond indexes that condition in Words, -1 if none.
	Words []string
	Cond  int
}

// Args returns the rule's arguments without its condition.
func (r *Rule) Args() []string {
	if r.Cond < 0 {
		return r.Words
	}
	return r.Words[:r.Cond]
}

// CondWords returns the rule's condition ("if"/"unless" first), or nil.
func (r *Rule) CondWords() []string {
	if r.Cond < 0 {
		return nil
	}
	return r.Words[r.Cond:]
}

// StatsPage is the `stats ...` configuration of a proxy (the statistics
// page served by a frontend or listen section).
type StatsPage struct {
	// Enabled is `stats enable` (also implied by the other stats
	// keywords, as in HAProxy).
	Enabled bool
	// URI is `stats uri <prefix>`. Default "/haproxy?stats".
	URI string
	// Realm is `stats realm <realm>`. Default "HAProxy Statistics".
	Realm string
	// Auth are the `stats auth <user>:<password>` lines.
	Auth []string
	// Refresh is `stats refresh <delay>`. Default 0: no refresh.
	Refresh time.Duration
	// Admin are the `stats admin if|unless <cond>` conditions under which
	// the page's admin actions are allowed.
	Admin []*Rule
	// HideVersion is `stats hide-version`.
	HideVersion bool
	// ShowNode is `stats show-node [name]`; Node the name given.
	ShowNode bool
	Node     string
	// ShowLegends is `stats show-legends`.
	ShowLegends bool
	// Description is `stats show-desc [text]`.
	Description string
}

// Cookie is the `cookie <name> [mode] [options]` persistence configuration
// of a backend.
type Cookie struct {
	Pos Pos
	// Name is the cookie name.
	Name string
	// Mode is "insert", "rewrite" or "prefix". Default rewrite (HAProxy's
	// default when no mode is given).
	Mode string
	// Indirect hides the cookie from the server (insert, prefix).
	Indirect bool
	// NoCache marks responses carrying the cookie as non-cacheable.
	NoCache bool
	// PostOnly inserts the cookie only on responses to POST requests.
	PostOnly bool
	// Preserve keeps a cookie the server set itself.
	Preserve bool
	// HTTPOnly and Secure set those attributes on inserted cookies.
	HTTPOnly, Secure bool
	// Domains are the `domain` attributes.
	Domains []string
	// MaxIdle and MaxLife bound the cookie's idle time and life (insert).
	MaxIdle, MaxLife time.Duration
	// Attrs are the `attr` values appended to inserted cookies.
	Attrs []string
	// Dynamic is `dynamic`.
	Dynamic bool
}

// Capture is a `capture request header` or `capture response header` line.
type Capture struct {
	Pos Pos
	// Name is the header name.
	Name string
	// Len is the most bytes kept.
	Len int
}
