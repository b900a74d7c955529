package load

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// httpMode is the keep-alive HTTP/1.1 client used when wrk is not
// installed: Conns connections, each sending a GET and reading the whole
// response before the next, like wrk without a script.
type httpMode struct {
	o     Options
	conns []net.Conn
}

var httpRequest = []byte("GET / HTTP/1.1\r\nHost: bench\r\nUser-Agent: hawser-bench\r\n\r\n")

func (m *httpMode) Setup(ctx context.Context) error {
	for range m.o.Conns {
		c, err := dialer.DialContext(ctx, "tcp", m.o.Addr)
		if err != nil {
			return fmt.Errorf("load: http to %s: %w", m.o.Addr, err)
		}
		m.conns = append(m.conns, c)
	}
	return nil
}

func (m *httpMode) Run(ctx context.Context) (Result, error) {
	r := runWorkers(ctx, m.o, len(m.conns), false, "http", "req", func(i int, deadline time.Time) func() error {
		c := m.conns[i]
		br := bufio.NewReaderSize(c, 4096)
		c.SetDeadline(deadline.Add(5 * time.Second))
		return func() error {
			if _, err := c.Write(httpRequest); err != nil {
				return err
			}
			return readResponse(br)
		}
	})
	return r, nil
}

func (m *httpMode) Close() {
	for _, c := range m.conns {
		c.Close()
	}
}

// readResponse reads one response with a Content-Length body and fails on
// any status but 200.
func readResponse(br *bufio.Reader) error {
	length := -1
	for i := 0; i < 100; i++ {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i == 0 {
			if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
				return fmt.Errorf("load: response %q", line)
			}
			continue
		}
		if len(line) == 0 {
			if length < 0 {
				return fmt.Errorf("load: response without Content-Length")
			}
			_, err := br.Discard(length)
			return err
		}
		if name, value, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(name, []byte("Content-Length")) {
			n, err := strconv.Atoi(string(bytes.TrimSpace(value)))
			if err != nil {
				return fmt.Errorf("load: Content-Length %q", value)
			}
			length = n
		}
	}
	return io.ErrUnexpectedEOF
}
