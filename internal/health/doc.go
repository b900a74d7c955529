// Package health implements HAProxy's server health checks: the health
// counter and its intervals (rise, fall, inter, fastinter, downinter), the
// probes (TCP connect, `option httpchk` with `http-check send` and
// `http-check expect`), passive checks from live traffic (`observe`,
// `error-limit`, `on-error`), `slowstart`, and the state-change log lines.
//
// The state machine ([State]) is pure. A [Checker] runs one server's
// checks in its own goroutine and owns its state; a [Set] owns the
// checkers of a configuration generation and reconciles them with the next
// one, keeping the state of servers that survive a reload.
package health
