// Package backend is the benchmark suite's backend pool: lean HTTP/1.1 and
// WebSocket echo servers, cheap enough per request that the load client
// and the proxy get most of the machine's CPU.
//
// Every connection speaks HTTP/1.1 keep-alive: a request is answered with
// a 64-byte body, an `Upgrade: websocket` request with a 101, after which
// every data frame is echoed (unmasked, as a server sends it).
package backend

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// BodySize is the length of every HTTP response body.
const BodySize = 64

// Pool is a set of backend servers, one listening socket each, served by
// one process.
type Pool struct {
	lns   []net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	done  bool
}

// Listen opens one server per address.
func Listen(addrs []string) (*Pool, error) {
	p := &Pool{conns: map[net.Conn]struct{}{}}
	lc := net.ListenConfig{KeepAlive: -1}
	for _, a := range addrs {
		ln, err := lc.Listen(context.Background(), "tcp", a)
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("backend: %w", err)
		}
		p.lns = append(p.lns, ln)
	}
	for _, ln := range p.lns {
		p.wg.Add(1)
		go p.acceptLoop(ln)
	}
	return p, nil
}

// Addrs returns the listening addresses.
func (p *Pool) Addrs() []string {
	var out []string
	for _, ln := range p.lns {
		out = append(out, ln.Addr().String())
	}
	return out
}

// Close stops accepting, closes every connection and waits for their
// goroutines.
func (p *Pool) Close() {
	p.mu.Lock()
	p.done = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	for _, ln := range p.lns {
		ln.Close()
	}
	p.wg.Wait()
}

func (p *Pool) acceptLoop(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond) // EMFILE and the like
				continue
			}
			return
		}
		p.mu.Lock()
		if p.done {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.conns[c] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serveConn(c)
	}
}

// serveConn answers requests on one connection until it closes or turns
// into a WebSocket.
func (p *Pool) serveConn(c net.Conn) {
	defer func() {
		c.Close()
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		p.wg.Done()
	}()
	br := bufio.NewReaderSize(c, 4096)
	var h head
	for {
		if err := h.read(br); err != nil {
			return
		}
		if h.websocket {
			if _, err := c.Write(appendSwitch(nil, h.key)); err != nil {
				return
			}
			echo(c, br)
			return
		}
		if _, err := c.Write(response); err != nil {
			return
		}
		if h.close {
			return
		}
	}
}

// response is the answer to every plain request: 64 bytes of body.
var response = []byte(fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s\n",
	BodySize, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!"))
