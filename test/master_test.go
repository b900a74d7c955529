package test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestMasterWorkerReload runs hawser -Ws: a reload starts a new worker
// with the same sockets while the old one keeps its WebSocket, and the
// master tells systemd (a fake NOTIFY_SOCKET) READY=1 and RELOADING=1.
func TestMasterWorkerReload(t *testing.T) {
	bs := backends(t, 1)
	dir := t.TempDir()
	notifyPath := filepath.Join(dir, "notify.sock")
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: notifyPath, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Close()
	t.Setenv("NOTIFY_SOCKET", notifyPath)
	states := make(chan string, 16)
	go func() {
		buf := make([]byte, 512)
		for {
			n, err := notify.Read(buf)
			if err != nil {
				close(states)
				return
			}
			states <- string(buf[:n])
		}
	}()
	waitState := func(prefix string) {
		t.Helper()
		timeout := time.After(15 * time.Second)
		for {
			select {
			case s := <-states:
				if strings.HasPrefix(s, prefix) {
					return
				}
			case <-timeout:
				t.Fatalf("no %q from the master", prefix)
			}
		}
	}
	sock := filepath.Join(dir, "api.sock")
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf(`
global
    stats socket %s level admin
defaults
    mode http
    timeout client 10s
    timeout server 10s
    timeout connect 1s
    timeout tunnel 1m
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    server s1 %s
`, sock, port, bs[0].Addr())
	master := startHawser(t, cfg, nil, addr, "-Ws")
	waitState("READY=1")
	worker1 := infoValue(t, sock, "Pid")
	if worker1 == master.cmd.Process.Pid {
		t.Fatal("the master serves traffic itself")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if err := echoOnce(ctx, ws, "on worker 1"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	ok, failed, wait := load(t, addr, stop)
	master.cmd.Process.Signal(syscall.SIGUSR2)
	waitState("RELOADING=1")
	waitState("READY=1")
	close(stop)
	wait()
	if ok.Load() == 0 || failed.Load() != 0 {
		t.Errorf("during the worker switch: %d ok, %d failed", ok.Load(), failed.Load())
	}
	worker2 := infoValue(t, sock, "Pid")
	if worker2 == worker1 {
		t.Fatalf("still worker %d after the reload", worker1)
	}
	if err := echoOnce(ctx, ws, "still on worker 1"); err != nil {
		t.Fatalf("WebSocket on the old worker: %v", err)
	}
	ws.Close(websocket.StatusNormalClosure, "")
	master.stderr.waitLog(t, fmt.Sprintf("old worker %d exited", worker1))
	master.cmd.Process.Signal(syscall.SIGTERM)
	if code := master.exitCode(t); code != 0 {
		t.Errorf("master exit code %d", code)
	}
}
