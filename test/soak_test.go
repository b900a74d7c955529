package test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hawser-lb/hawser/internal/echo"
)

// TestSoak runs HTTP and WebSocket clients for a minute (HAWSER_SOAK
// seconds; `go test -short` runs 10 s) while servers go down and come
// back, then checks that hawser holds no more goroutines or file
// descriptors than before, and that no message was lost on a tunnel whose
// server was not the one taken down.
func TestSoak(t *testing.T) {
	dur := 60 * time.Second
	if testing.Short() {
		dur = 10 * time.Second
	}
	if s, err := strconv.Atoi(os.Getenv("HAWSER_SOAK")); err == nil {
		dur = time.Duration(s) * time.Second
	}
	const nServers = 3
	addrs := make([]string, nServers)
	servers := make([]*echo.Server, nServers)
	var smu sync.Mutex
	for i := range servers {
		s, err := echo.Start(fmt.Sprintf("servers%d", i+1), "127.0.0.1:0", nil)
		if err != nil {
			t.Fatal(err)
		}
		servers[i], addrs[i] = s, s.Addr()
	}
	defer func() {
		smu.Lock()
		defer smu.Unlock()
		for _, s := range servers {
			if s != nil {
				s.Close()
			}
		}
	}()
	sock := filepath.Join(t.TempDir(), "api.sock")
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf(`
global
    stats socket %s level admin
defaults
    mode http
    timeout client 10s
    timeout server 10s
    timeout connect 500ms
    timeout tunnel 1m
    retries 3
    option redispatch
    retry-on conn-failure empty-response
    default-server check inter 200ms fall 2 rise 2
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    balance leastconn
    server s1 %s
    server s2 %s
    server s3 %s
`, sock, port, addrs[0], addrs[1], addrs[2])
	p := startHawser(t, cfg, nil, addr, "-q")
	pid := p.cmd.Process.Pid
	fds := func() int {
		ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		return len(ents)
	}
	httpGet(addr, "/warmup")
	fds0, gor0 := fds(), infoValue(t, sock, "Goroutines")

	ctx, cancel := context.WithTimeout(context.Background(), dur+30*time.Second)
	defer cancel()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var httpOK, httpFailed, wsMsgs, wsShut atomic.Int64
	var lost atomic.Int64
	// down names the server currently taken down ("" when none).
	var down atomic.Value
	down.Store("")
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Keep-alive clients at a steady pace: a minute of new
			// connections per request would fill the machine with
			// TIME_WAIT sockets and starve later tests of ports.
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			c := &http.Client{Timeout: 10 * time.Second, Transport: tr}
			for {
				select {
				case <-stop:
					return
				default:
				}
				if st, err := httpGetWith(c, addr, "/soak"); err == nil && st == 200 {
					httpOK.Add(1)
				} else {
					httpFailed.Add(1)
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				ws, _, err := websocket.Dial(ctx, "ws://"+addr+"/ws?hello=1", nil)
				if err != nil {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				_, hello, err := ws.Read(ctx)
				if err != nil {
					ws.CloseNow()
					continue
				}
				server := string(hello[len("hello from "):])
				for i := 0; ; i++ {
					select {
					case <-stop:
						ws.Close(websocket.StatusNormalClosure, "")
						return
					default:
					}
					msg := fmt.Sprintf("%d-%d", w, i)
					err := ws.Write(ctx, websocket.MessageText, []byte(msg))
					var got []byte
					if err == nil {
						_, got, err = ws.Read(ctx)
					}
					if err != nil {
						// Only the tunnels of the server taken down may break.
						if down.Load().(string) != server {
							lost.Add(1)
							t.Errorf("tunnel to %s broke while %q was down: %v", server, down.Load(), err)
						}
						wsShut.Add(1)
						ws.CloseNow()
						break
					}
					if string(got) != msg {
						lost.Add(1)
						t.Errorf("tunnel to %s: sent %s, got %s", server, msg, got)
					}
					wsMsgs.Add(1)
					time.Sleep(20 * time.Millisecond) // the client's pace
				}
			}
		}(w)
	}
	// Chaos: every few seconds a server goes down, then comes back on the
	// same address.
	deadline := time.Now().Add(dur)
	for i := 0; time.Now().Before(deadline); i++ {
		k := i % nServers
		name := fmt.Sprintf("servers%d", k+1)
		time.Sleep(2 * time.Second)
		down.Store(name)
		smu.Lock()
		servers[k].Close()
		servers[k] = nil
		smu.Unlock()
		time.Sleep(time.Second)
		s, err := echo.Start(name, addrs[k], nil)
		if err != nil {
			t.Fatalf("restarting %s on %s: %v", name, addrs[k], err)
		}
		smu.Lock()
		servers[k] = s
		smu.Unlock()
		// Give the tunnels that were broken time to notice before another
		// server may go down.
		time.Sleep(500 * time.Millisecond)
		down.Store("")
	}
	close(stop)
	wg.Wait()
	t.Logf("soak %v: %d HTTP ok, %d failed; %d WebSocket messages, %d tunnels shut with their server, %d lost",
		dur, httpOK.Load(), httpFailed.Load(), wsMsgs.Load(), wsShut.Load(), lost.Load())
	if httpOK.Load() == 0 || wsMsgs.Load() == 0 {
		t.Fatal("the soak moved no traffic")
	}
	// Everything the clients opened is closed: hawser must come back to
	// where it started.
	waitUntil(t, 15*time.Second, "file descriptors back to the start", func() bool { return fds() <= fds0 })
	waitUntil(t, 15*time.Second, "goroutines back to the start", func() bool { return infoValue(t, sock, "Goroutines") <= gor0+2 })
}

// waitUntil polls cond until it holds or timeout passes.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
