package balance

import (
	"fmt"
	"strconv"
)

// The scenarios of TestHAProxyOracle: 200 keys (or requests) per algorithm
// and hash setting, several weight sets, and run-time changes.

const oracleKeys = 200

var oracleWeightSets = [][]int{
	{1, 1, 1}, {1, 2, 3}, {5, 2, 1}, {2, 3, 4}, {3, 1, 0}, {10, 7, 3, 1}, {256, 13, 1, 77}, {4, 4},
}

func plainReqs(n int) []oracleReq { return make([]oracleReq, n) }

func uriReqs(n int) []oracleReq {
	out := make([]oracleReq, n)
	for i := range out {
		switch i % 5 {
		case 0:
			out[i].target = fmt.Sprintf("/k%d", i)
		case 1:
			out[i].target = fmt.Sprintf("/img/%d/x%d.png?v=%d", i%13, i, i*7)
		case 2:
			out[i].target = fmt.Sprintf("/a%d/b/c/d?x=%d&y", i%9, i)
		case 3:
			out[i].target = fmt.Sprintf("/%d?q", i)
		default:
			out[i].target = fmt.Sprintf("/s/%d/", i*7919)
		}
	}
	return out
}

// absReqs mixes absolute-form, authority-less and origin-form targets.
func absReqs(n int) []oracleReq {
	out := make([]oracleReq, n)
	for i := range out {
		switch i % 4 {
		case 0:
			out[i].target = fmt.Sprintf("http://h%d.example.com/p/%d?x=%d", i%5, i, i)
		case 1:
			out[i].target = fmt.Sprintf("https://h%d.example.com:8443/q%d", i%3, i)
		case 2:
			out[i].target = fmt.Sprintf("http://h%d.example.com", i)
		default:
			out[i].target = fmt.Sprintf("/o/%d", i)
		}
	}
	return out
}

// paramReqs: the parameter is usually there, sometimes missing or empty or
// only a prefix of another name (falling back to round robin or not).
func paramReqs(n int, name string) []oracleReq {
	out := make([]oracleReq, n)
	for i := range out {
		switch {
		case i%11 == 3:
			out[i].target = fmt.Sprintf("/p?%sx=%d", name, i)
		case i%7 == 5:
			out[i].target = "/p?other=1"
		case i%13 == 6:
			out[i].target = fmt.Sprintf("/p?%s=&x=%d", name, i)
		case i%17 == 8:
			out[i].target = "/nothing"
		case i%2 == 0:
			out[i].target = fmt.Sprintf("/p?a=1&%s=user%d&b=2", name, i)
		default:
			out[i].target = fmt.Sprintf("/p/%d?%s=%d", i, name, i*104729)
		}
	}
	return out
}

// postReqs put the parameter in url-encoded POST bodies.
func postReqs(n int, name string) []oracleReq {
	out := make([]oracleReq, n)
	for i := range out {
		switch i % 8 {
		case 0:
			out[i] = oracleReq{target: fmt.Sprintf("/f?%s=q%d", name, i), body: fmt.Sprintf("%s=b%d", name, i)}
		case 1:
			out[i] = oracleReq{target: "/f", body: fmt.Sprintf("x=1&%s==%d", name, i)}
		case 2:
			out[i] = oracleReq{target: "/f", body: fmt.Sprintf("%s= v%d", name, i)}
		case 3:
			out[i] = oracleReq{target: "/f", body: "nothing=here"}
		case 4:
			out[i] = oracleReq{target: "/f", body: fmt.Sprintf("%s=a/b%d&z", name, i)}
		default:
			out[i] = oracleReq{target: "/f", body: fmt.Sprintf("a=%d&%s=v%d&b=2", i, name, i)}
		}
	}
	return out
}

// hdrReqs: the header is usually there, sometimes missing, empty, a list
// or a quoted string containing a comma.
func hdrReqs(n int, name string) []oracleReq {
	out := make([]oracleReq, n)
	for i := range out {
		switch {
		case i%9 == 4:
			// missing
		case i%13 == 7:
			out[i].header = map[string]string{name: fmt.Sprintf(", v%d", i)}
		case i%10 == 1:
			out[i].header = map[string]string{name: fmt.Sprintf("v%d, w%d", i, i)}
		case i%15 == 2:
			out[i].header = map[string]string{name: fmt.Sprintf("\"q,%d\", z", i)}
		default:
			out[i].header = map[string]string{name: fmt.Sprintf("key-%d-%d", i, i*i)}
		}
	}
	return out
}

func hostReqs(n int) []oracleReq {
	out := make([]oracleReq, n)
	for i := range out {
		var h string
		switch i % 5 {
		case 0:
			h = fmt.Sprintf("www.site%d.example.com", i)
		case 1:
			h = fmt.Sprintf("site%d.org", i)
		case 2:
			h = fmt.Sprintf("host%d", i)
		case 3:
			h = fmt.Sprintf("a.b%d.c%d.d", i, i%3)
		default:
			h = fmt.Sprintf("x%d.example.net:8080", i)
		}
		out[i].header = map[string]string{"Host": h}
	}
	return out
}

func srcReqs(n int) []oracleReq {
	out := make([]oracleReq, n)
	for i := range out {
		out[i].src = fmt.Sprintf("127.%d.%d.%d", i%7, (i*37)%256, 1+i%250)
	}
	return out
}

// rdpReqs are RDP connection requests carrying Cookie: mstshash=...
func rdpReqs(n int, cookie string) []oracleReq {
	out := make([]oracleReq, n)
	for i := range out {
		var c string
		switch {
		case i%10 == 3:
			c = "Cookie: other=x\r\n"
		case i%12 == 5:
			c = "Cookie: " + cookie + "=\r\n"
		default:
			c = fmt.Sprintf("Cookie: %s=user%d\r\n", cookie, i*31)
		}
		// TPKT (4 bytes) and X.224 connection request (7 bytes).
		p := []byte{3, 0, 0, byte(11 + len(c) + 8), byte(6 + len(c) + 8), 0xe0, 0, 0, 0, 0, 0}
		p = append(p, c...)
		p = append(p, 1, 0, 8, 0, 3, 0, 0, 0)
		out[i].rdp = p
	}
	return out
}

func setWeight(srv int, arg string) func(*LB, []*Server) error {
	return func(lb *LB, ss []*Server) error { return lb.SetWeight(ss[srv], arg) }
}

func setUsable(srv int, ok bool) func(*LB, []*Server) error {
	return func(lb *LB, ss []*Server) error { return lb.SetUsable(ss[srv], ok) }
}

func oracleScenarios() []*oracleScenario {
	var scs []*oracleScenario
	add := func(sc *oracleScenario) { scs = append(scs, sc) }
	for _, ws := range oracleWeightSets {
		name := fmt.Sprint(ws)
		add(&oracleScenario{name: "roundrobin " + name, balance: "roundrobin", servers: weightsOf(ws...), reqs: plainReqs(oracleKeys)})
		add(&oracleScenario{name: "static-rr " + name, balance: "static-rr", servers: weightsOf(ws...), reqs: plainReqs(oracleKeys)})
	}
	for _, ws := range [][]int{{1, 2, 3}, {5, 2, 1}, {10, 7, 3, 1}} {
		name := fmt.Sprint(ws)
		add(&oracleScenario{name: "leastconn " + name, balance: "leastconn", servers: weightsOf(ws...), reqs: plainReqs(60)})
		add(&oracleScenario{name: "uri map " + name, balance: "uri", servers: weightsOf(ws...), reqs: uriReqs(oracleKeys)})
		add(&oracleScenario{name: "uri consistent " + name, balance: "uri", hashType: "consistent", servers: weightsOf(ws...), reqs: uriReqs(oracleKeys)})
		add(&oracleScenario{name: "url_param map " + name, balance: "url_param uid", servers: weightsOf(ws...), reqs: paramReqs(oracleKeys, "uid")})
		add(&oracleScenario{name: "url_param consistent " + name, balance: "url_param uid", hashType: "consistent", servers: weightsOf(ws...), reqs: paramReqs(oracleKeys, "uid")})
		add(&oracleScenario{name: "hdr map " + name, balance: "hdr(X-Key)", servers: weightsOf(ws...), reqs: hdrReqs(oracleKeys, "X-Key")})
		add(&oracleScenario{name: "hdr consistent " + name, balance: "hdr(X-Key)", hashType: "consistent", servers: weightsOf(ws...), reqs: hdrReqs(oracleKeys, "X-Key")})
		add(&oracleScenario{name: "source map " + name, balance: "source", servers: weightsOf(ws...), reqs: srcReqs(oracleKeys)})
		add(&oracleScenario{name: "source consistent " + name, balance: "source", hashType: "consistent", servers: weightsOf(ws...), reqs: srcReqs(oracleKeys)})
	}
	// Every hash function, with and without avalanche, on both lookups.
	for _, typ := range []string{"map-based", "consistent"} {
		for _, fn := range []string{"sdbm", "djb2", "wt6", "crc32"} {
			for _, mod := range []string{"", " avalanche"} {
				ht := typ + " " + fn + mod
				add(&oracleScenario{name: "hdr " + ht, balance: "hdr(X-Key)", hashType: ht, servers: weightsOf(3, 1, 2, 5), reqs: hdrReqs(oracleKeys, "X-Key")})
			}
		}
	}
	// uri options.
	for _, opt := range []string{"whole", "len 4", "depth 1", "depth 2 whole", "len 6 depth 2"} {
		add(&oracleScenario{name: "uri " + opt, balance: "uri " + opt, servers: weightsOf(1, 1, 1, 1), reqs: uriReqs(oracleKeys)})
	}
	add(&oracleScenario{name: "uri path-only", balance: "uri path-only", servers: weightsOf(1, 2, 1), reqs: absReqs(oracleKeys)})
	add(&oracleScenario{name: "uri without path-only", balance: "uri", servers: weightsOf(1, 2, 1), reqs: absReqs(oracleKeys)})
	add(&oracleScenario{name: "uri path-only whole consistent", balance: "uri path-only whole", hashType: "consistent", servers: weightsOf(1, 2, 1), reqs: absReqs(oracleKeys)})
	// hdr use_domain_only, POST bodies, hash expressions, rdp-cookie.
	add(&oracleScenario{name: "hdr(host) use_domain_only", balance: "hdr(host) use_domain_only", servers: weightsOf(1, 1, 1), reqs: hostReqs(oracleKeys)})
	add(&oracleScenario{name: "url_param POST", balance: "url_param uid", extra: []string{"option http-buffer-request"}, servers: weightsOf(1, 1, 1), reqs: postReqs(oracleKeys, "uid")})
	add(&oracleScenario{name: "url_param check_post", balance: "url_param uid check_post", extra: []string{"option http-buffer-request"}, servers: weightsOf(2, 1, 1), reqs: postReqs(oracleKeys, "uid")})
	add(&oracleScenario{name: "hash req.hdr map", balance: "hash req.hdr(X-Key)", servers: weightsOf(1, 2, 3), reqs: hdrReqs(oracleKeys, "X-Key")})
	add(&oracleScenario{name: "hash req.hdr consistent", balance: "hash req.hdr(X-Key)", hashType: "consistent", servers: weightsOf(1, 2, 3), reqs: hdrReqs(oracleKeys, "X-Key")})
	add(&oracleScenario{name: "hash src map", balance: "hash src", servers: weightsOf(1, 1, 1), reqs: srcReqs(oracleKeys)})
	add(&oracleScenario{name: "hash src consistent", balance: "hash src", hashType: "consistent djb2", servers: weightsOf(1, 1, 1), reqs: srcReqs(oracleKeys)})
	add(&oracleScenario{name: "rdp-cookie map", balance: "rdp-cookie", tcp: true, servers: weightsOf(1, 2, 1), reqs: rdpReqs(oracleKeys, "mstshash")})
	add(&oracleScenario{name: "rdp-cookie(sid) consistent", balance: "rdp-cookie(sid)", hashType: "consistent", tcp: true, servers: weightsOf(1, 1, 1), reqs: rdpReqs(oracleKeys, "sid")})
	// Explicit IDs place consistent-hash nodes.
	add(&oracleScenario{name: "consistent ids", balance: "hdr(X-Key)", hashType: "consistent",
		servers: []oracleServer{{weight: 1, id: 10}, {weight: 2, id: 3}, {weight: 1, id: 77}}, reqs: hdrReqs(oracleKeys, "X-Key")})
	add(&oracleScenario{name: "first", balance: "first", servers: []oracleServer{{weight: 1, id: 5}, {weight: 1, id: 2}, {weight: 1, id: 9}}, reqs: plainReqs(20),
		actions: []oracleAction{{at: 10, cli: "set server %s/b state maint", apply: setUsable(1, false)}}})
	scs = append(scs, backupScenarios()...)
	scs = append(scs, dynamicScenarios()...)
	scs = append(scs, holdScenarios()...)
	scs = append(scs, redispatchScenarios()...)
	return scs
}

func backupScenarios() []*oracleScenario {
	down := func(w int) oracleServer { return oracleServer{weight: w, disabled: true} }
	bck := func(w int) oracleServer { return oracleServer{weight: w, backup: true} }
	var scs []*oracleScenario
	for _, algo := range []string{"roundrobin", "static-rr", "leastconn", "first"} {
		scs = append(scs,
			&oracleScenario{name: algo + " first backup", balance: algo, servers: []oracleServer{down(1), bck(1), bck(2), bck(3)}, reqs: plainReqs(30)},
			&oracleScenario{name: algo + " allbackups", balance: algo, extra: []string{"option allbackups"}, servers: []oracleServer{down(1), bck(1), bck(2), bck(3)}, reqs: plainReqs(30)},
			&oracleScenario{name: algo + " backups then active", balance: algo, servers: []oracleServer{down(1), bck(2), bck(5), {weight: 1}}, reqs: plainReqs(30),
				actions: []oracleAction{
					{at: 10, cli: "set server %s/d state maint", apply: setUsable(3, false)},
					{at: 20, cli: "set server %s/a state ready", apply: setUsable(0, true)},
				}},
		)
	}
	for _, ht := range []string{"", "consistent"} {
		scs = append(scs,
			&oracleScenario{name: "hdr backups " + ht, balance: "hdr(X-Key)", hashType: ht, servers: []oracleServer{down(1), bck(2), bck(5), bck(1)}, reqs: hdrReqs(oracleKeys, "X-Key")},
			&oracleScenario{name: "hdr allbackups " + ht, balance: "hdr(X-Key)", hashType: ht, extra: []string{"option allbackups"}, servers: []oracleServer{down(1), bck(2), bck(5), bck(1)}, reqs: hdrReqs(oracleKeys, "X-Key")},
		)
	}
	// With only the first backup in use HAProxy skips the key (hash 0, or
	// its avalanche) for most algorithms, and its map then holds other
	// backups too (weights 3 and 4 fill it b c c): this tells the cases
	// apart.
	quirk := []oracleServer{down(1), bck(3), bck(4)}
	for _, ht := range []string{"", "map-based sdbm avalanche", "map-based djb2"} {
		scs = append(scs,
			&oracleScenario{name: "single backup uri " + ht, balance: "uri", hashType: ht, servers: quirk, reqs: uriReqs(60)},
			&oracleScenario{name: "single backup url_param " + ht, balance: "url_param uid", hashType: ht, servers: quirk, reqs: paramReqs(60, "uid")},
			&oracleScenario{name: "single backup hdr " + ht, balance: "hdr(X-Key)", hashType: ht, servers: quirk, reqs: hdrReqs(60, "X-Key")},
			&oracleScenario{name: "single backup hash " + ht, balance: "hash req.hdr(X-Key)", hashType: ht, servers: quirk, reqs: hdrReqs(60, "X-Key")},
			&oracleScenario{name: "single backup source " + ht, balance: "source", hashType: ht, servers: quirk, reqs: srcReqs(60)},
			&oracleScenario{name: "single backup rdp-cookie " + ht, balance: "rdp-cookie", hashType: ht, tcp: true, servers: quirk, reqs: rdpReqs(60, "mstshash")},
		)
	}
	// The round-robin walk of the ring (requests without a key) across a
	// fail-over to the backups and back.
	scs = append(scs, &oracleScenario{name: "consistent walk failover", balance: "hdr(X-Key)", hashType: "consistent", extra: []string{"option allbackups"},
		servers: []oracleServer{{weight: 1}, {weight: 1}, bck(1), bck(1)}, reqs: plainReqs(90),
		actions: []oracleAction{
			{at: 30, cli: "set server %s/a state maint", apply: setUsable(0, false)},
			{at: 30, cli: "set server %s/b state maint", apply: setUsable(1, false)},
			{at: 60, cli: "set server %s/a state ready", apply: setUsable(0, true)},
			{at: 60, cli: "set server %s/b state ready", apply: setUsable(1, true)},
		}})
	scs = append(scs, &oracleScenario{name: "no usable server", balance: "roundrobin", servers: weightsOf(0, 0), reqs: plainReqs(3)})
	return scs
}

func dynamicScenarios() []*oracleScenario {
	changes := []oracleAction{
		{at: 20, cli: "set weight %s/b 5", apply: setWeight(1, "5")},
		{at: 45, cli: "set server %s/a state maint", apply: setUsable(0, false)},
		{at: 60, cli: "set server %s/a state ready", apply: setUsable(0, true)},
		{at: 80, cli: "set weight %s/c 0", apply: setWeight(2, "0")},
		{at: 95, cli: "set weight %s/c 100%%", apply: setWeight(2, "100%")},
		{at: 120, cli: "set weight %s/a 7", apply: setWeight(0, "7")},
		{at: 140, cli: "set weight %s/d 50%%", apply: setWeight(3, "50%")},
		{at: 160, cli: "set weight %s/b 1", apply: setWeight(1, "1")},
	}
	static := []oracleAction{
		{at: 30, cli: "set weight %s/b 0", apply: setWeight(1, "0")},
		{at: 60, cli: "set server %s/a state maint", apply: setUsable(0, false)},
		{at: 90, cli: "set weight %s/b 100%%", apply: setWeight(1, "100%")},
		{at: 120, cli: "set server %s/a state ready", apply: setUsable(0, true)},
	}
	var scs []*oracleScenario
	for _, ws := range [][]int{{1, 2, 3, 4}, {13, 2, 7, 1}} {
		name := fmt.Sprint(ws)
		scs = append(scs,
			&oracleScenario{name: "roundrobin dynamic " + name, balance: "roundrobin", servers: weightsOf(ws...), reqs: plainReqs(oracleKeys), actions: changes},
			&oracleScenario{name: "leastconn dynamic " + name, balance: "leastconn", servers: weightsOf(ws...), reqs: plainReqs(oracleKeys), actions: changes},
			&oracleScenario{name: "consistent dynamic " + name, balance: "hdr(X-Key)", hashType: "consistent", servers: weightsOf(ws...), reqs: hdrReqs(oracleKeys, "X-Key"), actions: changes},
			&oracleScenario{name: "static-rr dynamic " + name, balance: "static-rr", servers: weightsOf(ws...), reqs: plainReqs(oracleKeys), actions: static},
			&oracleScenario{name: "map hdr dynamic " + name, balance: "hdr(X-Key)", servers: weightsOf(ws...), reqs: hdrReqs(oracleKeys, "X-Key"), actions: static},
		)
	}
	// Weight changes in the middle of a window, many times.
	var many []oracleAction
	for i := 1; i < 20; i++ {
		srv, w := i%3, 1+(i*7)%11
		many = append(many, oracleAction{at: i * 10, cli: fmt.Sprintf("set weight %%s/%c %d", 'a'+srv, w), apply: setWeight(srv, strconv.Itoa(w))})
	}
	// Sequences long enough to cross several fwrr windows (a window is
	// as many picks as the total weight times 16).
	for _, ws := range [][]int{{10, 7, 3, 1}, {256, 13, 1, 77}} {
		n := 0
		for _, w := range ws {
			n += w * weightScale
		}
		scs = append(scs, &oracleScenario{name: fmt.Sprint("roundrobin long ", ws), balance: "roundrobin", servers: weightsOf(ws...), reqs: plainReqs(n + n/2)})
	}
	long := append([]oracleAction(nil), changes...)
	long = append(long,
		oracleAction{at: 300, cli: "set weight %s/a 40", apply: setWeight(0, "40")},
		oracleAction{at: 500, cli: "set server %s/b state maint", apply: setUsable(1, false)},
		oracleAction{at: 700, cli: "set server %s/b state ready", apply: setUsable(1, true)},
		oracleAction{at: 900, cli: "set weight %s/a 1", apply: setWeight(0, "1")},
	)
	scs = append(scs, &oracleScenario{name: "roundrobin dynamic long", balance: "roundrobin", servers: weightsOf(13, 2, 7, 1), reqs: plainReqs(1500), actions: long})
	scs = append(scs, &oracleScenario{name: "roundrobin many changes", balance: "roundrobin", servers: weightsOf(3, 5, 2), reqs: plainReqs(oracleKeys), actions: many})
	return scs
}

// script builds requests and release actions: an int n adds n plain
// requests, "H" a held request, "Rk" ends the k-th held request.
func script(parts ...any) ([]oracleReq, []oracleAction) {
	var reqs []oracleReq
	var acts []oracleAction
	for _, p := range parts {
		switch p := p.(type) {
		case int:
			reqs = append(reqs, make([]oracleReq, p)...)
		case string:
			for _, w := range splitWords(p) {
				if w == "H" {
					reqs = append(reqs, oracleReq{hold: true})
					continue
				}
				k, err := strconv.Atoi(w[1:])
				if w[0] != 'R' || err != nil {
					panic("script: bad word " + w)
				}
				acts = append(acts, oracleAction{at: len(reqs), release: k})
			}
		}
	}
	return reqs, acts
}

// holdScenarios keep requests open on servers: leastconn's load, and
// servers full at their maxconn.
func holdScenarios() []*oracleScenario {
	var scs []*oracleScenario
	add := func(name, balance, hashType string, srv []oracleServer, parts ...any) {
		reqs, acts := script(parts...)
		scs = append(scs, &oracleScenario{name: name, balance: balance, hashType: hashType, servers: srv, reqs: reqs, actions: acts})
	}
	mc := func(maxconn int, ws ...int) []oracleServer {
		out := weightsOf(ws...)
		for i := range out {
			out[i].maxconn = maxconn
		}
		return out
	}
	add("leastconn held 1,2,3", "leastconn", "", weightsOf(1, 2, 3), "H H H", 15, "R2", 12, "H H H H", 15, "R1 R4", 10, "H", 10, "R3 R5 R6", 10, "R7 R8", 10)
	add("leastconn held 1,1,1", "leastconn", "", weightsOf(1, 1, 1), "H H H H H", 10, "R3", 10, "R1", 5, "H H", 10, "R5 R2 R4", 10)
	add("leastconn held 7,2", "leastconn", "", weightsOf(7, 2), "H H H H H H H H H", 20, "R9 R8 R7", 10, "R1 R2", 10)
	add("leastconn held maxconn", "leastconn", "", mc(2, 1, 3, 2), "H H H H", 12, "R1", 9, "H", 9, "R2 R3", 9)
	add("roundrobin maxconn", "roundrobin", "", mc(1, 3, 2, 1), "H", 20, "H", 10, "R1", 15, "R2", 10, "H", 15, "R3", 10)
	add("roundrobin maxconn wide", "roundrobin", "", mc(1, 1, 5, 2, 9), "H", 30, "H H", 20, "R2", 20, "R1 R3", 20)
	add("static-rr maxconn", "static-rr", "", mc(1, 3, 2, 1), "H", 20, "H", 10, "R1", 15, "R2", 10, "H", 15, "R3", 10)
	add("first maxconn", "first", "", mc(1, 1, 1, 1), "H", 3, "H", 3, "R1", 3, "H", 3, "R2", 3, "R3", 3)
	add("first maxconn 2", "first", "", mc(2, 1, 1, 1), "H H H", 3, "R1", 3, "H H", 3, "R3 R2", 3)
	add("consistent walk maxconn", "hdr(X-Key)", "consistent", mc(1, 1, 2, 1), "H", 20, "H", 10, "R1", 15, "R2", 10)
	return scs
}

// redispatchScenarios have a server that refuses connections: the retry
// goes to another server (Input.Avoid), except with map-based hashing,
// which ignores it and fails again.
func redispatchScenarios() []*oracleScenario {
	dead := func(dead int, ws ...int) []oracleServer {
		out := weightsOf(ws...)
		out[dead].dead = true
		return out
	}
	var scs []*oracleScenario
	for _, algo := range []string{"roundrobin", "static-rr", "leastconn", "first"} {
		scs = append(scs,
			&oracleScenario{name: algo + " redispatch", balance: algo, redispatch: true, servers: dead(0, 3, 2, 1, 1), reqs: plainReqs(40)},
			&oracleScenario{name: algo + " redispatch middle", balance: algo, redispatch: true, servers: dead(1, 1, 4, 2), reqs: plainReqs(40)},
		)
	}
	for _, ht := range []string{"", "consistent"} {
		scs = append(scs,
			&oracleScenario{name: "hdr redispatch " + ht, balance: "hdr(X-Key)", hashType: ht, redispatch: true, servers: dead(2, 1, 2, 3, 1), reqs: hdrReqs(100, "X-Key")},
			&oracleScenario{name: "uri redispatch " + ht, balance: "uri", hashType: ht, redispatch: true, servers: dead(0, 1, 1, 1), reqs: uriReqs(100)},
		)
	}
	return scs
}
