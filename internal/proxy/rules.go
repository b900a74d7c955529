package proxy

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hawser-lb/hawser/internal/acl"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/h1"
)

// httpRule is a compiled `http-request` or `http-response` rule.
type httpRule struct {
	pos    config.Pos
	action string
	cond   *acl.Cond

	status      int
	contentType string
	body        []byte
	bodyFmt     *compiledFormat
	hdrs        []ruleHeader
	name        string          // header name (set/add/del-header)
	value       *compiledFormat // header value
	redirect    string          // location, prefix or scheme
	target      *compiledFormat
	dropQuery   bool
	appendSlash bool
	realm       string
	service     http.Handler
	serviceName string
}

type ruleHeader struct {
	name  string
	value *compiledFormat
}

// Actions hawser implements; others are refused at startup with their
// position.
var requestActions = map[string]bool{
	"use-service": true, "deny": true, "return": true, "set-header": true, "add-header": true,
	"del-header": true, "redirect": true, "tarpit": true, "auth": true,
}

var responseActions = map[string]bool{"set-header": true, "add-header": true, "del-header": true}

// compileRules compiles a proxy's http-request (response=false) or
// http-response rules.
func compileRules(rules []*config.Rule, set *acl.Set, response bool, opt buildOptions) ([]httpRule, config.ErrorList) {
	var out []httpRule
	var errs config.ErrorList
	kw := "http-request"
	known := requestActions
	if response {
		kw, known = "http-response", responseActions
	}
	for _, r := range rules {
		fail := func(format string, args ...any) {
			errs = append(errs, &config.Error{Pos: r.Pos, Msg: fmt.Sprintf("'%s %s': ", kw, r.Action) + fmt.Sprintf(format, args...)})
		}
		if !known[r.Action] {
			errs = append(errs, &config.Error{Pos: r.Pos, Msg: fmt.Sprintf("'%s %s' is a HAProxy keyword that hawser does not support yet", kw, r.Action)})
			continue
		}
		hr := httpRule{pos: r.Pos, action: r.Action}
		if cw := r.CondWords(); cw != nil {
			c, err := set.Cond(cw)
			if err != nil {
				fail("%v", err)
				continue
			}
			hr.cond = c
		}
		if err := hr.compile(r.Args(), opt); err != nil {
			fail("%v", err)
			continue
		}
		out = append(out, hr)
	}
	return out, errs
}

func (hr *httpRule) compile(args []string, opt buildOptions) error {
	var err error
	switch hr.action {
	case "use-service":
		if len(args) != 1 {
			return fmt.Errorf("expects a service name")
		}
		if opt.services == nil || opt.services[args[0]] == nil {
			return fmt.Errorf("unknown service '%s' (hawser has: prometheus-exporter)", args[0])
		}
		hr.serviceName = args[0]
		hr.service = opt.services[args[0]]()
	case "set-header", "add-header":
		if len(args) != 2 {
			return fmt.Errorf("expects a header name and a value")
		}
		hr.name = args[0]
		hr.value, err = compileFormat(args[1])
	case "del-header":
		if len(args) != 1 {
			return fmt.Errorf("expects a header name")
		}
		hr.name = args[0]
	case "deny", "tarpit", "return":
		hr.status = 403
		if hr.action == "tarpit" {
			hr.status = 500
		}
		if hr.action == "return" {
			hr.status = 200
		}
		err = hr.compileReply(args)
	case "auth":
		hr.realm = "HAProxy"
		for i := 0; i < len(args); i++ {
			if args[i] != "realm" || i+1 >= len(args) {
				return fmt.Errorf("expects 'realm <realm>'")
			}
			hr.realm = args[i+1]
			i++
		}
	case "redirect":
		err = hr.compileRedirect(args)
	}
	return err
}

// compileReply reads the arguments of deny, tarpit and return:
// [deny_status|status N] [content-type T] [string S|lf-string F|file P|lf-file P] [hdr N V]*.
func (hr *httpRule) compileReply(args []string) error {
	for i := 0; i < len(args); i++ {
		if i+1 >= len(args) {
			return fmt.Errorf("'%s' expects an argument", args[i])
		}
		v := args[i+1]
		switch args[i] {
		case "deny_status", "status":
			n, err := strconv.Atoi(v)
			if err != nil || n < 200 || n > 599 {
				return fmt.Errorf("invalid status code '%s'", v)
			}
			hr.status = n
		case "content-type":
			hr.contentType = v
		case "string":
			hr.body = []byte(v)
		case "lf-string":
			f, err := compileFormat(v)
			if err != nil {
				return err
			}
			hr.bodyFmt = f
		case "file", "lf-file":
			data, err := os.ReadFile(v)
			if err != nil {
				return err
			}
			if args[i] == "file" {
				hr.body = data
			} else {
				f, err := compileFormat(string(data))
				if err != nil {
					return err
				}
				hr.bodyFmt = f
			}
		case "hdr":
			if i+2 >= len(args) {
				return fmt.Errorf("'hdr' expects a name and a value")
			}
			f, err := compileFormat(args[i+2])
			if err != nil {
				return err
			}
			hr.hdrs = append(hr.hdrs, ruleHeader{name: v, value: f})
			i++
		default:
			return fmt.Errorf("unknown argument '%s'", args[i])
		}
		i++
	}
	if (hr.body != nil || hr.bodyFmt != nil) && hr.contentType == "" {
		return fmt.Errorf("a body needs a 'content-type'")
	}
	return nil
}

// compileRedirect reads `redirect location|prefix|scheme <arg> [code N]
// [drop-query] [append-slash]`.
func (hr *httpRule) compileRedirect(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("expects 'location', 'prefix' or 'scheme' and a value")
	}
	switch args[0] {
	case "location", "prefix", "scheme":
	default:
		return fmt.Errorf("expects 'location', 'prefix' or 'scheme', got '%s'", args[0])
	}
	hr.redirect = args[0]
	f, err := compileFormat(args[1])
	if err != nil {
		return err
	}
	hr.target = f
	hr.status = 302
	for i := 2; i < len(args); i++ {
		switch args[i] {
		case "code":
			if i+1 >= len(args) {
				return fmt.Errorf("'code' expects a status")
			}
			n, err := strconv.Atoi(args[i+1])
			if err != nil || (n != 301 && n != 302 && n != 303 && n != 307 && n != 308) {
				return fmt.Errorf("'code' expects 301, 302, 303, 307 or 308")
			}
			hr.status = n
			i++
		case "drop-query":
			hr.dropQuery = true
		case "append-slash":
			hr.appendSlash = true
		default:
			return fmt.Errorf("'%s' is not supported by hawser yet", args[i])
		}
	}
	return nil
}

// ruleOutcome is what the request rules decided.
type ruleOutcome uint8

const (
	ruleContinue ruleOutcome = iota // forward the request
	ruleDone                        // answered locally; stop
)

// runRequestRules evaluates http-request rules in order. A final action
// (deny, return, redirect, tarpit, auth, use-service) answers the request
// and stops the evaluation.
func (s *session) runRequestRules(rules []httpRule) (ruleOutcome, bool, bool) {
	for i := range rules {
		r := &rules[i]
		if r.cond != nil {
			s.txn.Req = &s.req
			s.txn.Payload = s.cr.buffered()[:s.req.HeadLen]
			ok := r.cond.Eval(&s.txn)
			s.txn.Req, s.txn.Payload = nil, nil
			if !ok {
				continue
			}
		}
		switch r.action {
		case "set-header", "add-header", "del-header":
			s.headerRule(r, &s.req.Headers)
		case "use-service":
			keep, _ := s.serveApplet(r.service, serviceLogName(r.serviceName), false)
			return ruleDone, keep, false
		default:
			keep := s.localReply(r)
			return ruleDone, keep, false
		}
	}
	return ruleContinue, false, false
}

// runResponseRules applies http-response header rules to s.resp.
func (s *session) runResponseRules(rules []httpRule) {
	for i := range rules {
		r := &rules[i]
		if r.cond != nil {
			s.txn.Req = &s.req
			ok := r.cond.Eval(&s.txn)
			s.txn.Req = nil
			if !ok {
				continue
			}
		}
		s.headerRule(r, &s.resp.Headers)
	}
}

// headerRule applies a set-header, add-header or del-header rule to hs
// (other actions do nothing here).
func (s *session) headerRule(r *httpRule, hs *[]h1.Header) {
	switch r.action {
	case "set-header", "add-header":
		s.setHeader(hs, r.name, s.render(r.value, nil), r.action == "set-header")
	case "del-header":
		s.setHeader(hs, r.name, nil, true)
	}
}

// setHeader removes the fields named name when replace is set, then adds
// one with value unless value is nil. The new slices do not alias the
// connection buffers, so later rules and ACLs see the change.
func (s *session) setHeader(hs *[]h1.Header, name string, value []byte, replace bool) {
	out := make([]h1.Header, 0, len(*hs)+1)
	for _, h := range *hs {
		if replace && h1.EqualFoldString(h.Name, name) {
			continue
		}
		out = append(out, h)
	}
	if value != nil {
		out = append(out, h1.Header{Name: []byte(name), Value: value})
	}
	*hs = out
}

// localReply answers with deny, return, redirect, tarpit or auth, as
// HAProxy formats them, and logs the request.
func (s *session) localReply(r *httpRule) bool {
	x := &s.x
	s.skipRequestBody()
	keep := !x.closeClient
	x.tW, x.tC, x.tRsp = -1, -1, -1
	var page []byte
	cause, phase := byte('L'), byte('R')
	switch r.action {
	case "deny", "tarpit":
		cause = 'P'
		if r.action == "tarpit" {
			// Hold the connection for timeout tarpit (falling back to
			// timeout connect), then answer; Tw shows the time held.
			phase = 'T'
			hold := firstNonZero(x.fe.Config.Timeouts.Tarpit, x.fe.Config.Timeouts.Connect, time.Second)
			start := time.Now()
			select {
			case <-time.After(hold):
			case <-s.e.stopCh:
			}
			x.tW = int64(time.Since(start) / time.Millisecond)
			x.tR = -1
		}
		x.fe.Counters.DeniedReq.Add(1)
		if r.body == nil && r.bodyFmt == nil && len(r.hdrs) == 0 {
			page = errorPage(r.status, !keep)
			if custom := x.errorFile(r.status); custom != nil {
				page = custom
			}
			break
		}
		page = s.buildReply(r, !keep)
	case "return":
		page = s.buildReply(r, !keep)
	case "auth":
		page = authPage(r.realm, !keep)
	case "redirect":
		page = s.buildRedirect(r, !keep)
	}
	x.status = r.status
	if r.action == "auth" {
		x.status = 401
	}
	x.fail(cause, phase)
	x.fe.Counters.CountStatus(x.status)
	if err := s.writeClient(page); err != nil {
		keep = false
	}
	s.logHTTP()
	return keep
}

// buildReply builds the response of `return` (or deny/tarpit with a
// custom body): status line, the hdr lines, content-length, content-type.
func (s *session) buildReply(r *httpRule, close bool) []byte {
	body := r.body
	if r.bodyFmt != nil {
		body = s.render(r.bodyFmt, nil)
	}
	b := []byte("HTTP/1.1 " + strconv.Itoa(r.status) + " " + http.StatusText(r.status) + "\r\n")
	for _, h := range r.hdrs {
		b = append(b, strings.ToLower(h.name)...)
		b = append(b, ": "...)
		b = s.render(h.value, b)
		b = append(b, "\r\n"...)
	}
	b = append(b, "content-length: "+strconv.Itoa(len(body))+"\r\n"...)
	if r.contentType != "" {
		b = append(b, "content-type: "+r.contentType+"\r\n"...)
	}
	if close {
		b = append(b, "connection: close\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, body...)
}

// buildRedirect builds a redirect as HAProxy does: content-length 0, the
// location, cache-control: no-cache on 302/303.
func (s *session) buildRedirect(r *httpRule, close bool) []byte {
	req := &s.req
	arg := s.render(r.target, nil)
	var loc []byte
	path := req.Target
	if r.dropQuery {
		if i := strings.IndexByte(string(path), '?'); i >= 0 {
			path = path[:i]
		}
	}
	switch r.redirect {
	case "location":
		loc = arg
	case "prefix":
		loc = append(append(loc, strings.TrimSuffix(string(arg), "/")...), path...)
	case "scheme":
		loc = append(append(append(loc, arg...), "://"...), req.Host...)
		loc = append(loc, path...)
	}
	if r.appendSlash && len(loc) > 0 && loc[len(loc)-1] != '/' {
		loc = append(loc, '/')
	}
	b := []byte("HTTP/1.1 " + strconv.Itoa(r.status) + " " + http.StatusText(r.status) + "\r\ncontent-length: 0\r\nlocation: ")
	b = append(b, loc...)
	b = append(b, "\r\n"...)
	if r.status == 302 || r.status == 303 {
		b = append(b, "cache-control: no-cache\r\n"...)
	}
	if close {
		b = append(b, "connection: close\r\n"...)
	}
	return append(b, "\r\n"...)
}

// authPage is HAProxy's 401 page with the realm.
func authPage(realm string, close bool) []byte {
	body := "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"
	b := "HTTP/1.1 401 Unauthorized\r\ncontent-length: " + strconv.Itoa(len(body)) +
		"\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"" + realm + "\"\r\n"
	if close {
		b += "connection: close\r\n"
	}
	return []byte(b + "\r\n" + body)
}

// serviceLogName is the server name HAProxy logs for a service.
func serviceLogName(name string) string {
	if name == "prometheus-exporter" {
		return "<PROMEX>"
	}
	return "<" + strings.ToUpper(name) + ">"
}
