package test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMaxconnQueuesAndTimesOut reproduces HAProxy's observed behaviour with
// `server maxconn 1` and three concurrent slow requests: the first is
// served, the second waits in the backend queue and is served after it
// (0/1 in the log), the third waits behind it and hits timeout queue:
// 503 sQ-- (0/2).
func TestMaxconnQueuesAndTimesOut(t *testing.T) {
	releaseFirst, releaseSecond := make(chan struct{}), make(chan struct{})
	arrived := make(chan string, 3)
	srv, hits := countingBackend(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- r.URL.Path
		switch r.URL.Path {
		case "/first":
			<-releaseFirst
		case "/second":
			<-releaseSecond
		}
		w.Write([]byte(r.URL.Path))
	})
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := `
global
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout client 10s
    timeout server 10s
    timeout connect 1s
    timeout queue 1500ms
frontend fe
    bind "127.0.0.1:${PORT}"
    default_backend be
backend be
    server s1 "${S1}" maxconn 1
`
	sock := filepath.Join(t.TempDir(), "api.sock")
	cfg = strings.Replace(cfg, "global\n", "global\n    stats socket "+sock+" level admin\n", 1)
	p := startHawser(t, cfg, map[string]string{"PORT": fmt.Sprint(port), "S1": srv}, addr)
	var wg sync.WaitGroup
	status := make(map[string]int)
	var mu sync.Mutex
	do := func(path string) {
		defer wg.Done()
		st, err := httpGet(addr, path)
		if err != nil {
			st = -1
		}
		mu.Lock()
		status[path] = st
		mu.Unlock()
	}
	wg.Add(3)
	go do("/first")
	if got := <-arrived; got != "/first" {
		t.Fatalf("first at the server: %s", got)
	}
	go do("/second")
	waitQueue(t, sock, 1) // /second waits in the backend queue…
	go do("/third")
	waitQueue(t, sock, 2) // …and /third behind it
	close(releaseFirst)   // the slot goes to the oldest waiter: /second
	if got := <-arrived; got != "/second" {
		t.Fatalf("after /first, the server got %s, want /second", got)
	}
	// /second holds the slot until /third gives up at timeout queue.
	p.stdout.waitLog(t, " 503 ", " sQ-- ", `"GET /third HTTP/1.1"`)
	close(releaseSecond)
	wg.Wait()
	if status["/first"] != 200 || status["/second"] != 200 || status["/third"] != 503 {
		t.Errorf("statuses %v, want first and second 200, third 503", status)
	}
	if hits.Load() != 2 {
		t.Errorf("server saw %d requests, want 2", hits.Load())
	}
	// HAProxy logs the backend queue positions: 0/1 and 0/2.
	line := p.stdout.waitLog(t, `"GET /second HTTP/1.1"`)
	if !strings.Contains(line, " 200 ") || !strings.Contains(line, " 0/1 ") {
		t.Errorf("second request's log line %q: want 200 and queue position 0/1", line)
	}
	line = p.stdout.waitLog(t, `"GET /third HTTP/1.1"`)
	if !strings.Contains(line, " 0/2 ") {
		t.Errorf("third request's log line %q: want queue position 0/2", line)
	}
}

// waitQueue polls `show stat` until the backend queue (qcur of the BACKEND
// line) holds n requests.
func waitQueue(t *testing.T, sock string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, l := range strings.Split(apiCommand(t, sock, "show stat"), "\n") {
			if f := strings.Split(l, ","); len(f) > 2 && f[1] == "BACKEND" && f[2] == fmt.Sprint(n) {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("backend queue never reached %d", n)
}

// TestRetryOnRedispatchesA503 checks `retry-on 503` with option
// redispatch: a server answering 503 is retried on the other one, and the
// client never sees the 503.
func TestRetryOnRedispatchesA503(t *testing.T) {
	bad, badHits := countingBackend(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
	})
	bs := backends(t, 1)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := `
global
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout client 10s
    timeout server 10s
    timeout connect 1s
frontend fe
    bind "127.0.0.1:${PORT}"
    default_backend be
backend be
    option redispatch
    retry-on 503 conn-failure
    retries 2
    server bad "${BAD}"
    server good "${GOOD}"
`
	p := startHawser(t, cfg, map[string]string{"PORT": fmt.Sprint(port), "BAD": bad, "GOOD": bs[0].Addr()}, addr)
	for i := 0; i < 4; i++ {
		if st, err := httpGet(addr, fmt.Sprintf("/r%d", i)); err != nil || st != 200 {
			t.Errorf("request %d: %d %v", i, st, err)
		}
	}
	if badHits.Load() == 0 {
		t.Error("the 503 server was never tried: the test proves nothing")
	}
	// Redispatched after one retry: logged as +1.
	p.stdout.waitLog(t, "be/good ", " 200 ", "/+1 ")
}

// TestKilledServerCostsNoRequest: with two servers and one of them dead
// (nothing listening), every request succeeds through retries and
// redispatch.
func TestKilledServerCostsNoRequest(t *testing.T) {
	bs := backends(t, 1)
	dead := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := `
defaults
    mode http
    timeout client 10s
    timeout server 10s
    timeout connect 1s
    retries 3
    option redispatch
frontend fe
    bind "127.0.0.1:${PORT}"
    default_backend be
backend be
    server dead "${DEAD}"
    server alive "${ALIVE}"
`
	startHawser(t, cfg, map[string]string{"PORT": fmt.Sprint(port), "DEAD": dead, "ALIVE": bs[0].Addr()}, addr)
	var wg sync.WaitGroup
	var failed sync.Map
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if st, err := httpGet(addr, fmt.Sprintf("/k%d", i)); err != nil || st != 200 {
				failed.Store(i, fmt.Sprint(st, err))
			}
		}(i)
	}
	wg.Wait()
	failed.Range(func(k, v any) bool {
		t.Errorf("request %v failed: %v", k, v)
		return true
	})
}
