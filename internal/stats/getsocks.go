package stats

import (
	"fmt"
	"net"
	"os"

	"github.com/hawser-lb/hawser/internal/fdpass"
)

// The `_getsocks` command hands the listening sockets to a successor
// process (`hawser -x <socket>`), on stats sockets declared with
// `expose-fd listeners` and level admin, as HAProxy does. The answer is one
// or more unix messages, each carrying a JSON list of listener keys and,
// as ancillary data, the matching file descriptors (package fdpass).

// sendSockets writes the listening sockets on c.
func (s *Server) sendSockets(c *net.UnixConn) error {
	keys, files, err := s.e.ListenerFiles()
	if err != nil {
		return err
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	return fdpass.Send(c, keys, files)
}

// FetchSockets connects to a predecessor's stats socket and receives its
// listening sockets, by listener key.
func FetchSockets(path string) (map[string]*os.File, error) {
	c, err := net.Dial("unix", path)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", path, err)
	}
	defer c.Close()
	uc := c.(*net.UnixConn)
	if _, err := uc.Write([]byte("_getsocks\n")); err != nil {
		return nil, err
	}
	got, err := fdpass.Receive(uc)
	if err != nil {
		return nil, fmt.Errorf("%s did not send its sockets (is 'expose-fd listeners' set, at level admin?): %w", path, err)
	}
	return got, nil
}
