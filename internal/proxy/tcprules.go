package proxy

import (
	"fmt"
	"time"

	"github.com/hawser-lb/hawser/internal/acl"
	"github.com/hawser-lb/hawser/internal/config"
)

// tcpRules are a proxy's compiled `tcp-request` rules: `inspect-delay`,
// `connection accept|reject` (at accept time, on addresses) and `content
// accept|reject` (on the first bytes of the connection, waiting up to the
// inspect delay for a rule to decide).
type tcpRules struct {
	inspectDelay time.Duration
	connection   []tcpRule
	content      []tcpRule
}

type tcpRule struct {
	accept bool
	cond   *acl.Cond
}

// compileTCPRules compiles a proxy's tcp-request lines.
func compileTCPRules(rules []*config.Rule, set *acl.Set) (*tcpRules, config.ErrorList) {
	if len(rules) == 0 {
		return nil, nil
	}
	tr := &tcpRules{}
	var errs config.ErrorList
	for _, r := range rules {
		fail := func(format string, args ...any) {
			errs = append(errs, &config.Error{Pos: r.Pos, Msg: "'tcp-request " + r.Action + "': " + fmt.Sprintf(format, args...)})
		}
		switch r.Action {
		case "inspect-delay":
			if len(r.Words) != 1 {
				fail("expects a time")
				continue
			}
			d, err := config.ParseTime(r.Words[0], time.Millisecond)
			if err != nil {
				fail("%v", err)
				continue
			}
			tr.inspectDelay = d
		case "connection", "content":
			args := r.Args()
			if len(args) != 1 || (args[0] != "accept" && args[0] != "reject") {
				if len(args) > 0 {
					errs = append(errs, &config.Error{Pos: r.Pos, Msg: fmt.Sprintf("'tcp-request %s %s' is a HAProxy keyword that hawser does not support yet (hawser has accept and reject)", r.Action, args[0])})
				} else {
					fail("expects 'accept' or 'reject'")
				}
				continue
			}
			rule := tcpRule{accept: args[0] == "accept"}
			if cw := r.CondWords(); cw != nil {
				c, err := set.Cond(cw)
				if err != nil {
					fail("%v", err)
					continue
				}
				rule.cond = c
			}
			if r.Action == "connection" {
				tr.connection = append(tr.connection, rule)
			} else {
				tr.content = append(tr.content, rule)
			}
		default:
			errs = append(errs, &config.Error{Pos: r.Pos, Msg: fmt.Sprintf("'tcp-request %s' is a HAProxy keyword that hawser does not support yet", r.Action)})
		}
	}
	return tr, errs
}

// acceptConnection runs the connection rules: the first that applies
// decides; none means accept.
func (tr *tcpRules) acceptConnection(t *acl.Txn) bool {
	for _, r := range tr.connection {
		if r.cond == nil || r.cond.Eval(t) {
			return r.accept
		}
	}
	return true
}

// inspect runs the content rules on the connection's first bytes. While
// a rule cannot decide yet (its sample may still arrive) it reads more, up
// to the inspect delay, the buffer size or the end of the stream; then the
// rules are evaluated with what is there. It returns false to reject.
func (s *session) inspect(tr *tcpRules) bool {
	if tr == nil || len(tr.content) == 0 {
		return true
	}
	deadline := time.Now().Add(tr.inspectDelay)
	for {
		more := tr.inspectDelay > 0 && time.Now().Before(deadline) && len(s.cr.buffered()) < s.cr.lim.size
		s.txn.Payload, s.txn.More = s.cr.buffered(), more
		decided, accept := tr.decide(&s.txn)
		s.txn.Payload, s.txn.More = nil, false
		if decided {
			return accept
		}
		// Wait for more bytes, at most until the deadline.
		s.conn.SetReadDeadline(deadline)
		_, err := s.cr.fill()
		s.conn.SetReadDeadline(time.Time{})
		if err != nil && !isTimeout(err) {
			// The client closed or failed: decide on what arrived.
			s.txn.Payload = s.cr.buffered()
			_, accept := tr.decide(&s.txn)
			s.txn.Payload = nil
			return accept
		}
		if err != nil {
			deadline = time.Now() // timed out: next round is final
		}
	}
}

// decide evaluates the content rules in order. decided is false when a
// rule's condition needs more data (HAProxy waits for it).
func (tr *tcpRules) decide(t *acl.Txn) (decided, accept bool) {
	for _, r := range tr.content {
		if r.cond == nil {
			return true, r.accept
		}
		switch r.cond.Exec(t) {
		case acl.True:
			return true, r.accept
		case acl.Miss:
			return false, false
		}
	}
	// No rule applied: accept once the inspection is over.
	return !t.More, true
}
