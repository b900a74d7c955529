// Package echo is a small HTTP and WebSocket backend that answers with its
// name and echoes messages. The demo, the black-box tests and the
// benchmarks run it behind hawser.
package echo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Server is a backend that answers HTTP requests with its name and echoes
// WebSocket messages. Endpoints:
//
//	/            the demo page (index.html) or, with ?name, the server name
//	/echo        WebSocket echo (any other path upgrades too)
//	/sleep?ms=N  answers after N milliseconds
//	/bytes?n=N   answers N bytes
//	/headers     answers the request head it received
//
// Every response carries "X-Served-By: <name>".
type Server struct {
	Name string
	// Page is served at "/" to browsers.
	Page []byte

	srv *http.Server
	ln  net.Listener
	wg  sync.WaitGroup

	mu  sync.Mutex
	wss map[*websocket.Conn]struct{}
}

// Start starts an echo backend on addr (use "127.0.0.1:0").
func Start(name, addr string, page []byte) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("echo backend %s: %w", name, err)
	}
	e := &Server{Name: name, Page: page, ln: ln}
	e.srv = &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.srv.Serve(ln)
	}()
	return e, nil
}

// Addr returns the address the backend listens on.
func (e *Server) Addr() string { return e.ln.Addr().String() }

// Close stops the backend and its WebSocket connections, as a server
// going down would.
func (e *Server) Close() error {
	e.mu.Lock()
	for c := range e.wss {
		c.CloseNow()
	}
	e.wss = nil
	e.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := e.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = e.srv.Close()
	}
	e.wg.Wait()
	return err
}

func (e *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Served-By", e.Name)
	if r.Header.Get("Upgrade") != "" {
		e.serveWS(w, r)
		return
	}
	switch r.URL.Path {
	case "/sleep":
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		fmt.Fprintf(w, "%s slept %dms\n", e.Name, ms)
	case "/headers":
		// The request head as the backend received it, for header tests.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "%s %s %s\n", r.Method, r.RequestURI, r.Proto)
		r.Header.Write(w)
	case "/bytes":
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Length", strconv.Itoa(n))
		buf := make([]byte, 32<<10)
		for i := range buf {
			buf[i] = 'a' + byte(i%26)
		}
		for n > 0 {
			k := min(n, len(buf))
			if _, err := w.Write(buf[:k]); err != nil {
				return
			}
			n -= k
		}
	case "/":
		if len(e.Page) > 0 && r.URL.RawQuery == "" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(e.Page)
			return
		}
		fallthrough
	default:
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "%s: %s %s host=%s xff=%s body=%d\n", e.Name, r.Method, r.URL.RequestURI(), r.Host, r.Header.Get("X-Forwarded-For"), len(body))
	}
}

// serveWS echoes every message back until the client closes.
func (e *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer c.CloseNow()
	e.mu.Lock()
	if e.wss == nil {
		e.wss = map[*websocket.Conn]struct{}{}
	}
	e.wss[c] = struct{}{}
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.wss, c)
		e.mu.Unlock()
	}()
	c.SetReadLimit(64 << 20)
	ctx := r.Context()
	if r.URL.Query().Get("hello") != "" {
		// Push a first message right after the 101, before the client
		// speaks: it must reach the client through the proxy.
		c.Write(ctx, websocket.MessageText, []byte("hello from "+e.Name))
	}
	for {
		typ, msg, err := c.Read(ctx)
		if err != nil {
			return
		}
		if err := c.Write(ctx, typ, msg); err != nil {
			return
		}
	}
}
