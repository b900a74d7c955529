package acl

import (
	"net/netip"

	"github.com/hawser-lb/hawser/internal/h1"
)

// Txn is everything a fetch can read. The proxy fills one per request and
// reuses it (see [Txn.Reset]) so that the scratch space some fetches need
// (base, int-to-string casts, converters) is allocated once per connection,
// not once per request.
//
// A Txn must not be used by two goroutines at the same time; compiled
// conditions and samples may be shared freely.
type Txn struct {
	// Req is the parsed request head; nil in mode tcp. HTTP fetches
	// (hdr, path, method, ...) find no sample when it is nil.
	Req *h1.Request
	// Src and SrcPort are the client's address and port (the PROXY
	// protocol's source when accept-proxy is used), for `src`/`src_port`.
	Src     netip.Addr
	SrcPort uint16
	// Dst and DstPort are the address and port the client connected to
	// (`dst`, `dst_port`).
	Dst     netip.Addr
	DstPort uint16
	// Payload holds the request bytes buffered so far (`req.len`,
	// `req.rdp_cookie`). In mode tcp it is the inspect buffer; in mode http
	// set it to the request head so that `REQ_CONTENT` holds as in HAProxy.
	Payload []byte
	// More reports that more payload may still arrive (a tcp-request
	// inspect-delay is running and the buffer is neither full nor closed).
	// Payload fetches then answer "not yet" instead of "no": see
	// [Cond.Exec]. The zero value (false) means every sample is final, which
	// is always the case in mode http.
	More bool

	// scratch holds values synthesized during an evaluation; it is kept
	// across Reset so that steady-state evaluation does not allocate.
	scratch []byte
}

// Reset clears t for the next request while keeping its scratch space.
func (t *Txn) Reset() {
	s := t.scratch[:0]
	*t = Txn{scratch: s}
}
