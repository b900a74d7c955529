// Package fdpass hands listening sockets from one hawser process to
// another over a unix socket (SCM_RIGHTS): a predecessor to its successor
// (`hawser -x`), a master to its workers.
//
// File descriptors are read with SyscallConn().Control, never with
// os.File.Fd: Fd switches the descriptor to blocking mode, and that flag
// belongs to the open file description the processes share, so a process
// still accepting on the socket would block in accept(2) where its Close
// cannot wake it.
package fdpass

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"syscall"
)

// maxPerMessage stays under the kernel's SCM_MAX_FD (253).
const maxPerMessage = 200

// Send writes files, named by keys, on c: one or more messages, each a
// JSON list of keys with the matching descriptors as ancillary data.
func Send(c *net.UnixConn, keys []string, files []*os.File) error {
	if len(keys) != len(files) {
		return fmt.Errorf("fdpass: %d keys for %d files", len(keys), len(files))
	}
	for start := 0; ; start += maxPerMessage {
		end := min(start+maxPerMessage, len(files))
		payload, _ := json.Marshal(keys[start:end])
		payload = append(payload, '\n')
		fds := make([]int, 0, end-start)
		for _, f := range files[start:end] {
			fd, err := rawFD(f)
			if err != nil {
				return err
			}
			fds = append(fds, fd)
		}
		var oob []byte
		if len(fds) > 0 {
			oob = syscall.UnixRights(fds...)
		}
		if _, _, err := c.WriteMsgUnix(payload, oob, nil); err != nil {
			return err
		}
		if end == len(files) {
			return nil
		}
	}
}

// rawFD returns f's descriptor without changing its mode.
func rawFD(f *os.File) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	fd := -1
	if err := rc.Control(func(p uintptr) { fd = int(p) }); err != nil {
		return 0, err
	}
	return fd, nil
}

// Receive reads what Send wrote: the files by key.
func Receive(c *net.UnixConn) (map[string]*os.File, error) {
	out := map[string]*os.File{}
	buf := make([]byte, 1<<16)
	oob := make([]byte, syscall.CmsgSpace(4*maxPerMessage))
	for {
		n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fmt.Errorf("fdpass: connection closed before the sockets were sent")
		}
		var keys []string
		if err := json.Unmarshal(buf[:n], &keys); err != nil {
			return nil, fmt.Errorf("fdpass: unexpected answer %q", buf[:n])
		}
		var fds []int
		if oobn > 0 {
			msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
			if err != nil {
				return nil, err
			}
			for _, m := range msgs {
				if r, err := syscall.ParseUnixRights(&m); err == nil {
					fds = append(fds, r...)
				}
			}
		}
		if len(fds) != len(keys) {
			for _, fd := range fds {
				syscall.Close(fd)
			}
			return nil, fmt.Errorf("fdpass: %d keys and %d sockets", len(keys), len(fds))
		}
		for i, k := range keys {
			syscall.CloseOnExec(fds[i])
			out[k] = os.NewFile(uintptr(fds[i]), k)
		}
		if len(keys) < maxPerMessage {
			return out, nil
		}
	}
}
