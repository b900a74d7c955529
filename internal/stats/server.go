package stats

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/proxy"
)

// Access levels of a runtime API session, lowest first.
const (
	LevelUser = iota
	LevelOperator
	LevelAdmin
)

func parseLevel(s string) int {
	switch s {
	case "user":
		return LevelUser
	case "admin":
		return LevelAdmin
	}
	return LevelOperator
}

// Server serves the runtime API on the global section's stats sockets.
type Server struct {
	e       *proxy.Engine
	timeout time.Duration
	lns     []net.Listener
	paths   []string
	files   []os.FileInfo
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	// sem bounds concurrent API connections (stats maxconn).
	sem chan struct{}
}

// Listen opens every `stats socket` of g. Unix socket paths are replaced
// if a stale socket file is in the way, and get the configured mode.
func Listen(e *proxy.Engine, g *config.Global) (*Server, error) {
	s := &Server{e: e, timeout: g.StatsTimeout, conns: map[net.Conn]struct{}{}, sem: make(chan struct{}, max(g.StatsMaxconn, 1))}
	for _, ss := range g.StatsSockets {
		ln, err := listen(ss)
		if err != nil {
			s.Close()
			return nil, config.At(ss.Pos, fmt.Errorf("'stats socket %s': %w", ss.Address, err))
		}
		if ss.Network == "unix" {
			fi, _ := os.Stat(ss.Address)
			s.paths = append(s.paths, ss.Address)
			s.files = append(s.files, fi)
		}
		s.lns = append(s.lns, ln)
		s.wg.Add(1)
		go s.accept(ln, parseLevel(ss.Level), ss.ExposeFD)
	}
	return s, nil
}

func listen(ss *config.StatsSocket) (net.Listener, error) {
	if ss.Network != "unix" {
		return net.Listen("tcp", ss.Address)
	}
	// Bind under a temporary name and rename it over the path, as HAProxy
	// does: a successor (reload, handover, new worker) takes the path over
	// atomically while the predecessor keeps serving its open connections.
	tmp := fmt.Sprintf("%s.%d.tmp", ss.Address, os.Getpid())
	os.Remove(tmp)
	ln, err := net.Listen("unix", tmp)
	if err != nil {
		return nil, err
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	if ss.Mode != 0 {
		if err := os.Chmod(tmp, os.FileMode(ss.Mode)); err != nil {
			ln.Close()
			os.Remove(tmp)
			return nil, err
		}
	}
	if err := os.Rename(tmp, ss.Address); err != nil {
		ln.Close()
		os.Remove(tmp)
		return nil, err
	}
	return ln, nil
}

// Close stops listening, closes the open API connections and removes the
// socket files.
func (s *Server) Close() {
	for _, ln := range s.lns {
		ln.Close()
	}
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	for i, p := range s.paths {
		// Remove the socket file only while it is still ours: a successor
		// may have renamed its own over it.
		if fi, err := os.Stat(p); err == nil && s.files[i] != nil && os.SameFile(fi, s.files[i]) {
			os.Remove(p)
		}
	}
}

func (s *Server) accept(ln net.Listener, level int, exposeFD bool) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.sem <- struct{}{}
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-s.sem }()
			s.serve(c, level, exposeFD)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		}()
	}
}

// serve runs one API connection: one line of commands separated by ';'
// (the non-interactive mode), or many lines once `prompt` is sent.
func (s *Server) serve(c net.Conn, level int, exposeFD bool) {
	br := bufio.NewReaderSize(c, 16384)
	sess := &session{srv: s, level: level}
	for {
		if s.timeout > 0 {
			c.SetReadDeadline(time.Now().Add(s.timeout))
		}
		line, err := br.ReadString('\n')
		if err != nil && line == "" {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "_getsocks" {
			uc, ok := c.(*net.UnixConn)
			if !ok || !exposeFD || level < LevelAdmin {
				c.Write([]byte("Permission denied\n\n"))
				return
			}
			if err := s.sendSockets(uc); err != nil {
				c.Write([]byte(err.Error() + "\n\n"))
			}
			return
		}
		var out strings.Builder
		for _, cmd := range splitCommands(line) {
			sess.run(&out, cmd)
			if sess.quit {
				break
			}
		}
		if sess.interactive && sess.prompt && !sess.quit {
			out.WriteString("> ")
		}
		c.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte(out.String())); err != nil {
			return
		}
		if sess.quit || !sess.interactive {
			return
		}
	}
}

// splitCommands splits a line on unescaped ';' and unescapes "\;" and
// "\\" (HAProxy's CLI rules).
func splitCommands(line string) []string {
	var cmds []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line) && (line[i+1] == ';' || line[i+1] == '\\'):
			cur.WriteByte(line[i+1])
			i++
		case c == ';':
			cmds = append(cmds, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	cmds = append(cmds, strings.TrimSpace(cur.String()))
	return cmds
}
