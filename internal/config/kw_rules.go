package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// newRule splits a rule's words into its action, its arguments and its
// condition (from the first "if" or "unless").
func newRule(pos Pos, words []string) (*Rule, error) {
	if len(words) == 0 {
		return nil, fmt.Errorf("expects an action")
	}
	r := &Rule{Pos: pos, Action: words[0], Words: clone(words[1:]), Cond: -1}
	for i, w := range r.Words {
		if w == "if" || w == "unless" {
			if i == len(r.Words)-1 {
				return nil, fmt.Errorf("'%s' is missing a condition after '%s'", words[0], w)
			}
			r.Cond = i
			break
		}
	}
	return r, nil
}

// httpCheckActions are the `http-check` actions of HAProxy 2.6.
var httpCheckActions = map[string]bool{
	"comment": true, "connect": true, "disable-on-404": true, "expect": true,
	"send": true, "send-state": true, "set-var": true, "unset-var": true,
}

// tcpCheckActions are the `tcp-check` actions of HAProxy 2.6.
var tcpCheckActions = map[string]bool{
	"comment": true, "connect": true, "expect": true, "send": true, "send-binary": true,
	"send-lf": true, "send-binary-lf": true, "set-var": true, "unset-var": true,
}

// parseHTTPChk reads the arguments of `option httpchk`: none, <uri>,
// <method> <uri>, or <method> <uri> <version>.
func parseHTTPChk(args []string) (*HTTPChk, error) {
	c := &HTTPChk{Method: "OPTIONS", URI: "/", Version: "HTTP/1.0"}
	switch len(args) {
	case 0:
	case 1:
		c.URI = args[0]
	case 2:
		c.Method, c.URI = args[0], args[1]
	case 3:
		c.Method, c.URI, c.Version = args[0], args[1], args[2]
	default:
		return nil, fmt.Errorf("'option httpchk' expects at most a method, a URI and a version")
	}
	return c, nil
}

// proxyStats handles `stats <keyword>` in a proxy section.
func proxyStats(px *Proxy, ln Line) error {
	if len(ln.Words) < 2 {
		return fmt.Errorf("'stats' expects a keyword such as 'enable', 'uri' or 'auth'")
	}
	if err := gate("stats-page", "stats "+ln.Words[1]); err != nil {
		return err
	}
	if px.Stats == nil {
		px.Stats = &StatsPage{URI: "/haproxy?stats", Realm: "HAProxy Statistics"}
	}
	st := px.Stats
	args := ln.Words[2:]
	one := func() (string, error) {
		if len(args) != 1 {
			return "", fmt.Errorf("'stats %s' expects one argument", ln.Words[1])
		}
		return args[0], nil
	}
	var err error
	switch ln.Words[1] {
	case "enable":
		st.Enabled = true
	case "disable":
		st.Enabled = false
	case "uri":
		st.URI, err = one()
		st.Enabled = true
	case "realm":
		if len(args) == 0 {
			return fmt.Errorf("'stats realm' expects a realm")
		}
		st.Realm = strings.Join(args, " ")
		st.Enabled = true
	case "auth":
		var a string
		if a, err = one(); err == nil {
			if !strings.Contains(a, ":") {
				return fmt.Errorf("'stats auth' expects <user>:<password>")
			}
			st.Auth = append(st.Auth, a)
			st.Enabled = true
		}
	case "refresh":
		var a string
		if a, err = one(); err == nil {
			var d time.Duration
			if d, err = ParseTime(a, time.Second); err == nil {
				st.Refresh = d
				st.Enabled = true
			}
		}
	case "admin":
		r, rerr := newRule(ln.Pos, ln.Words[1:])
		if rerr != nil {
			return rerr
		}
		if r.Cond != 0 {
			return fmt.Errorf("'stats admin' expects 'if' or 'unless' followed by a condition")
		}
		st.Admin = append(st.Admin, r)
		st.Enabled = true
	case "hide-version":
		st.HideVersion = true
		st.Enabled = true
	case "show-legends":
		st.ShowLegends = true
		st.Enabled = true
	case "show-node":
		st.ShowNode = true
		if len(args) > 0 {
			st.Node = args[0]
		}
		st.Enabled = true
	case "show-desc":
		st.Description = strings.Join(args, " ")
		st.Enabled = true
	default:
		return fmt.Errorf("'stats %s' is not a stats keyword hawser knows (enable, uri, realm, auth, refresh, admin, hide-version, show-legends, show-node, show-desc)", ln.Words[1])
	}
	return err
}

// parseCookie reads `cookie <name> [rewrite|insert|prefix] [indirect]
// [nocache] [postonly] [preserve] [httponly] [secure] [domain <d>]*
// [maxidle <t>] [maxlife <t>] [dynamic] [attr <v>]*`.
func parseCookie(pos Pos, args []string) (*Cookie, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("'cookie' expects a cookie name")
	}
	c := &Cookie{Pos: pos, Name: args[0], Mode: "rewrite"}
	for i := 1; i < len(args); i++ {
		val := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("'cookie %s': '%s' expects an argument", c.Name, args[i])
			}
			i++
			return args[i], nil
		}
		switch a := args[i]; a {
		case "rewrite", "insert", "prefix":
			c.Mode = a
		case "indirect":
			c.Indirect = true
		case "nocache":
			c.NoCache = true
		case "postonly":
			c.PostOnly = true
		case "preserve":
			c.Preserve = true
		case "httponly":
			c.HTTPOnly = true
		case "secure":
			c.Secure = true
		case "dynamic":
			c.Dynamic = true
		case "domain", "attr":
			v, err := val()
			if err != nil {
				return nil, err
			}
			if a == "domain" {
				c.Domains = append(c.Domains, v)
			} else {
				c.Attrs = append(c.Attrs, v)
			}
		case "maxidle", "maxlife":
			v, err := val()
			if err != nil {
				return nil, err
			}
			d, err := ParseTime(v, time.Second)
			if err != nil {
				return nil, fmt.Errorf("'cookie %s': '%s': %w", c.Name, a, err)
			}
			if a == "maxidle" {
				c.MaxIdle = d
			} else {
				c.MaxLife = d
			}
		default:
			return nil, fmt.Errorf("'cookie %s': unknown option '%s'", c.Name, a)
		}
	}
	return c, nil
}

// parseCapture reads `capture request|response header <name> len <n>`.
func parseCapture(px *Proxy, ln Line) error {
	w := ln.Words
	if len(w) != 6 || (w[1] != "request" && w[1] != "response") || w[2] != "header" || w[4] != "len" {
		if len(w) >= 2 && w[1] == "cookie" {
			return fmt.Errorf("'capture cookie' is a HAProxy keyword that hawser does not support yet")
		}
		return fmt.Errorf("'capture' expects 'request header <name> len <n>' or 'response header <name> len <n>'")
	}
	if err := gate("capture", "capture "+w[1]+" header"); err != nil {
		return err
	}
	n, err := strconv.Atoi(w[5])
	if err != nil || n <= 0 {
		return fmt.Errorf("'capture %s header': invalid length '%s'", w[1], w[5])
	}
	c := &Capture{Pos: ln.Pos, Name: w[3], Len: n}
	if w[1] == "request" {
		px.CaptureRequest = append(px.CaptureRequest, c)
	} else {
		px.CaptureResponse = append(px.CaptureResponse, c)
	}
	return nil
}

// parseErrorfile reads `errorfile <code> <file>`: the file is read now,
// as HAProxy does, and must hold a complete HTTP response.
func parseErrorfile(px *Proxy, ln Line) error {
	if len(ln.Words) != 3 {
		return fmt.Errorf("'errorfile' expects a status code and a file")
	}
	code, err := strconv.Atoi(ln.Words[1])
	if err != nil {
		return fmt.Errorf("'errorfile': invalid status code '%s'", ln.Words[1])
	}
	switch code {
	case 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504:
	default:
		return fmt.Errorf("'errorfile': status code %d cannot be customized", code)
	}
	path := ln.Words[2]
	if !filepath.IsAbs(path) && ln.Pos.File != "" {
		// HAProxy resolves relative paths against its working directory;
		// hawser accepts both that and the config file's directory.
		if _, err := os.Stat(path); err != nil {
			path = filepath.Join(filepath.Dir(ln.Pos.File), path)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("'errorfile %d': %w", code, err)
	}
	if !strings.HasPrefix(string(data), "HTTP/1.") {
		return fmt.Errorf("'errorfile %d %s': the file must hold a complete HTTP response starting with 'HTTP/1.'", code, ln.Words[2])
	}
	if px.ErrorFiles == nil {
		px.ErrorFiles, px.ErrorFileNames = map[int][]byte{}, map[int]string{}
	}
	px.ErrorFiles[code], px.ErrorFileNames[code] = data, path
	return nil
}
