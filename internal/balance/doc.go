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
// needs (see [LB.Needs]) and calls [LB.Pick], which also takes a connection
// slot on the server it returns. The caller then reports the load: it gives
// the slot back with [Server.Release] when the request, or the tunnel that
// follows it, ends; it takes slots for requests that did not come from Pick
// with [Server.Acquire]; and it reports its per-server queues with
// [Server.Enqueue], [Server.Unqueue] and [Server.TakeQueued]. Run-time
// changes go through [LB.SetUsable], [LB.SetWeight] and [LB.SetMaxconn].
//
// Every LB has one mutex, as HAProxy 2.6 has one lock per backend. Pick
// allocates nothing and costs O(log n) in the number of servers at most: a
// heap for roundrobin and leastconn, the head of a heap for first, an index
// into the static map, a binary search on the consistent-hash ring. Like
// HAProxy, roundrobin, static-rr and the ring walk for requests without a
// key step over servers that are full, so they also cost one step per full
// server met. Changes of weight or state cost O(log n) for roundrobin,
// leastconn and first, O(points) for the ring, and rebuild the static map
// (slots × servers, as HAProxy does).
//
// A Server may be passed to a later New (a configuration reload): the new
// LB takes it over, and connections counted through the old LB are released
// into the new one, so long-lived tunnels keep weighing on leastconn.
package balance
