package test

import (
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// httpGet fetches a path and returns the status.
func httpGet(addr, path string) (int, error) {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// httpGetWith fetches a path with the given client.
func httpGetWith(c *http.Client, addr, path string) (int, error) {
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

type netDialer struct{}

func (netDialer) dial(path string) (net.Conn, error) {
	return net.DialTimeout("unix", path, time.Second)
}

// listenFile opens a TCP listening socket and returns it as a file, to
// pass to a child process.
func listenFile(addr string) (*os.File, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	return ln.(*net.TCPListener).File()
}
