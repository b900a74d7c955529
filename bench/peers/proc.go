package peers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/hawser-lb/hawser/bench/procstat"
)

// Proc is a process the suite started. It is stopped by its PID only:
// other people's haproxy and nginx processes on the machine are never
// touched.
type Proc struct {
	Name   string
	PID    int
	cmd    *exec.Cmd
	stdin  io.WriteCloser // kept open: the backend pool exits at its end
	out    syncBuffer     // stdout and stderr, for error reports
	exited chan struct{}
	err    error
}

// Start runs argv with its output captured.
func Start(name string, argv []string, env []string) (*Proc, error) {
	p := &Proc{Name: name, exited: make(chan struct{})}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout = &p.out
	p.cmd.Stderr = &p.out
	stdin, err := p.cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("peers: starting %s: %w", name, err)
	}
	p.stdin = stdin
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("peers: starting %s: %w", name, err)
	}
	p.PID = p.cmd.Process.Pid
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// WaitListening waits until addr accepts connections, the process exits
// or timeout passes.
func (p *Proc) WaitListening(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("peers: %s exited (%v):\n%s", p.Name, p.err, p.out.String())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("peers: %s not listening on %s after %v:\n%s", p.Name, addr, timeout, p.out.String())
}

// Tree returns the PIDs of the process and its children (nginx workers).
func (p *Proc) Tree() ([]int, error) { return procstat.Tree(p.PID) }

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Output returns what the process printed so far.
func (p *Proc) Output() string { return p.out.String() }

// Stop sends SIGTERM to the process, waits up to 10 seconds, then sends
// SIGKILL. A process started by Start is always reaped.
func (p *Proc) Stop() error {
	defer p.stdin.Close()
	if p.Exited() {
		return nil
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("peers: stopping %s (pid %d): %w", p.Name, p.PID, err)
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(10 * time.Second):
	}
	p.cmd.Process.Kill()
	<-p.exited
	return fmt.Errorf("peers: %s (pid %d) ignored SIGTERM for 10s and was killed", p.Name, p.PID)
}

// syncBuffer keeps the first 64 KiB a process prints; exec's copying
// goroutines write it while the suite may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

const maxOutput = 64 << 10

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := maxOutput - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
