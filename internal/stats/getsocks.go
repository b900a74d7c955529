package stats

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"syscall"
)

// The `_getsocks` command hands the listening sockets to a successor
// process (`hawser -x <socket>`), on stats sockets declared with
// `expose-fd listeners` and level admin, as HAProxy does. The answer is one
// or more unix messages, each carrying a JSON list of listener keys and,
// as ancillary data, the matching file descriptors.

// maxFDsPerMessage stays under the kernel's SCM_MAX_FD (253).
const maxFDsPerMessage = 200

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
	for start := 0; start < len(files) || start == 0; start += maxFDsPerMessage {
		end := min(start+maxFDsPerMessage, len(files))
		payload, _ := json.Marshal(keys[start:end])
		payload = append(payload, '\n')
		fds := make([]int, 0, end-start)
		for _, f := range files[start:end] {
			fds = append(fds, int(f.Fd()))
		}
		var oob []byte
		if len(fds) > 0 {
			oob = syscall.UnixRights(fds...)
		}
		if _, _, err := c.WriteMsgUnix(payload, oob, nil); err != nil {
			return err
		}
		if end == len(files) {
			break
		}
	}
	return nil
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
	out := map[string]*os.File{}
	buf := make([]byte, 1<<16)
	oob := make([]byte, syscall.CmsgSpace(4*maxFDsPerMessage))
	for {
		n, oobn, _, _, err := uc.ReadMsgUnix(buf, oob)
		if err != nil || n == 0 {
			if len(out) == 0 && err != nil {
				return nil, fmt.Errorf("reading sockets from %s: %w", path, err)
			}
			return out, nil
		}
		var keys []string
		if err := json.Unmarshal(buf[:n], &keys); err != nil {
			return nil, fmt.Errorf("%s did not send sockets (is 'expose-fd listeners' set, at level admin?): %q", path, buf[:n])
		}
		var fds []int
		if oobn > 0 {
			msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
			if err != nil {
				return nil, err
			}
			for _, m := range msgs {
				r, err := syscall.ParseUnixRights(&m)
				if err == nil {
					fds = append(fds, r...)
				}
			}
		}
		if len(fds) != len(keys) {
			for _, fd := range fds {
				syscall.Close(fd)
			}
			return nil, fmt.Errorf("%s sent %d keys and %d sockets", path, len(keys), len(fds))
		}
		for i, k := range keys {
			out[k] = os.NewFile(uintptr(fds[i]), k)
		}
		if len(keys) < maxFDsPerMessage {
			return out, nil
		}
	}
}
