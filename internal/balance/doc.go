// Package balance chooses a server for a request the way HAProxy 2.6 does.
//
// It implements every `balance` algorithm of HAProxy 2.6 (roundrobin,
// static-rr, leastconn, first, random, source, uri, url_param, hdr,
// rdp-cookie and hash) with `hash-type map-based|consistent`, the hash
// functions sdbm, djb2, wt6 and crc32 and the avalanche modifier, backup
// servers and `option allbackups`, maxconn-full servers, and run-time weight
// and state changes. Each algorithm reproduces HAProxy's choices exactly:
// the same weights give the same round-robin sequences, and a hash key
// reaches the server HAProxy would send it to, so HAProxy and hawser can run
// side by side behind DNS. The package test TestHAProxyOracle compares every
// algorithm with the haproxy binary when it is installed.
//
// The package is pure: it reads no socket and starts no goroutine. The
// caller (the backend package) extracts from the request what the algorithm
// needs (see [LB.Needs]), calls [LB.Pick], and reports connection slots with
// [Server.Acquire] and [Server.Release] and its queues with
// [Server.Enqueue], [Server.Unqueue] and [Server.TakeQueued].
//
// Every LB has one mutex, as HAProxy 2.6 has one lock per backend; Pick
// allocates nothing and costs O(log n) in the number of servers (a heap for
// roundrobin, leastconn and first, a binary search on the consistent-hash
// ring, an index into the static map). The only exceptions are HAProxy's own
// walks over full servers: roundrobin and static-rr step over each server
// that is at its maxconn, as HAProxy does.
package balance
