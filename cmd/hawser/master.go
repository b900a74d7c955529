package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"sort"
	"strconv"
	"syscall"
	"time"
	"unsafe"

	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/fdpass"
	"github.com/hawser-lb/hawser/internal/proxy"
)

// Master-worker mode (-W, -Ws, `master-worker`): a small master process
// owns the listening sockets and supervises a worker that serves traffic.
// On SIGHUP or SIGUSR2 the master re-reads the configuration, starts a new
// worker with the same sockets (so no connection is refused, and a new
// binary on disk is picked up), and soft-stops the old one, which finishes
// its requests and keeps its tunnels until they end or hard-stop-after.
// With -Ws the master speaks systemd's notify protocol (READY=1,
// RELOADING=1).

// envWorker tells a process that it is a worker, and on which descriptor
// its master's socket is: the master sends the listening sockets over it
// (package fdpass, never as inherited descriptors, whose blocking flag
// os/exec would change for every process sharing them), and the worker
// says "ready" on it.
const envWorker = "HAWSER_WORKER_FD"

// masterConn is a worker's connection to its master, nil otherwise.
var masterConn *net.UnixConn

// workerSockets returns the sockets a master handed to this worker.
func workerSockets() (map[string]*os.File, error) {
	fd, err := strconv.Atoi(os.Getenv(envWorker))
	if err != nil {
		return nil, nil
	}
	os.Unsetenv(envWorker)
	f := os.NewFile(uintptr(fd), "master")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("worker: master socket: %w", err)
	}
	masterConn = c.(*net.UnixConn)
	got, err := fdpass.Receive(masterConn)
	if err != nil {
		return nil, fmt.Errorf("worker: receiving the listening sockets: %w", err)
	}
	return got, nil
}

// workerReady tells the master that this worker listens.
func workerReady() {
	if masterConn == nil {
		return
	}
	masterConn.Write([]byte("ready\n"))
	masterConn.Close()
	masterConn = nil
}

type worker struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// runMaster supervises workers until a stop signal.
func runMaster(f *flags, cfg *config.Config, stdout, stderr io.Writer, notify bool) int {
	// Workers get SIGTERM when the thread that started them ends
	// (Pdeathsig): keep the master's goroutine on one thread for good.
	runtime.LockOSThread()
	g := &cfg.Global
	sockets, err := proxy.ListenFiles(cfg, nil)
	if err != nil {
		printConfigError(stderr, err)
		return 1
	}
	pidfile := f.pidfile
	if pidfile == "" {
		pidfile = g.Pidfile
	}
	if pidfile != "" {
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			fmt.Fprintf(stderr, "[ALERT] cannot write pidfile: %v\n", err)
			return 1
		}
		defer os.Remove(pidfile)
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR2, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	// Each worker reports its own exit here (a SIGCHLD can come before
	// Wait returns, so the master does not rely on it).
	exited := make(chan *worker, 16)

	cur, err := startWorker(sockets, stderr, exited)
	if err != nil {
		fmt.Fprintf(stderr, "[ALERT] master: %v\n", err)
		return 1
	}
	if f.daemonKid {
		signalReady(nil)
	}
	if notify {
		sdNotify("READY=1\nMAINPID=" + strconv.Itoa(os.Getpid()))
	}
	fmt.Fprintf(stderr, "[NOTICE] master %d: worker %d started\n", os.Getpid(), cur.cmd.Process.Pid)
	old := []*worker{}
	for {
		select {
		case <-cur.done:
			// The serving worker died: stop, and let the supervisor
			// (systemd) restart us, as HAProxy's master does.
			code := cur.cmd.ProcessState.ExitCode()
			fmt.Fprintf(stderr, "[ALERT] master: worker %d exited with status %d\n", cur.cmd.Process.Pid, code)
			for _, w := range old {
				w.cmd.Process.Signal(syscall.SIGTERM)
				<-w.done
			}
			if code == 0 {
				code = 1
			}
			return code
		case w := <-exited:
			// An old worker finished its work.
			kept := old[:0]
			for _, o := range old {
				if o == w {
					fmt.Fprintf(stderr, "[NOTICE] master: old worker %d exited\n", w.cmd.Process.Pid)
					continue
				}
				kept = append(kept, o)
			}
			old = kept
		case sig := <-sigs:
			switch sig {
			case syscall.SIGHUP, syscall.SIGUSR2:
				if notify {
					sdNotify(fmt.Sprintf("RELOADING=1\nMONOTONIC_USEC=%d", monotonicUsec()))
				}
				next, err := masterReload(f, sockets, stderr, exited)
				if err != nil {
					printConfigError(stderr, err)
					fmt.Fprintf(stderr, "[ALERT] master: reload failed: the running worker is kept\n")
				} else {
					fmt.Fprintf(stderr, "[NOTICE] master: worker %d replaces %d\n", next.cmd.Process.Pid, cur.cmd.Process.Pid)
					cur.cmd.Process.Signal(syscall.SIGUSR1)
					old = append(old, cur)
					cur = next
				}
				if notify {
					sdNotify("READY=1")
				}
			default:
				// SIGTERM, SIGINT (stop) or SIGUSR1 (soft stop): pass it on
				// and wait for every worker.
				if notify {
					sdNotify("STOPPING=1")
				}
				for _, w := range append(old, cur) {
					w.cmd.Process.Signal(sig)
				}
				for _, w := range append(old, cur) {
					<-w.done
				}
				return 0
			}
		}
	}
}

// masterReload validates the configuration, opens the sockets it adds and
// starts a worker with it.
func masterReload(f *flags, sockets map[string]*os.File, stderr io.Writer, exited chan<- *worker) (*worker, error) {
	cfg, err := config.ParseFiles(f.files)
	if err != nil {
		return nil, err
	}
	// Compile it here too, so a configuration that cannot run is refused
	// before any worker is replaced.
	e, err := proxy.New(cfg, proxy.Options{Stderr: stderr})
	if err != nil {
		return nil, err
	}
	shutdownNow(e)
	next, err := proxy.ListenFiles(cfg, sockets)
	if err != nil {
		return nil, err
	}
	for k, s := range next {
		sockets[k] = s
	}
	return startWorker(next, stderr, exited)
}

// startWorker starts a worker with the sockets and waits until it
// listens.
func startWorker(sockets map[string]*os.File, stderr io.Writer, exited chan<- *worker) (*worker, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(sockets))
	for k := range sockets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	files := make([]*os.File, 0, len(keys))
	for _, k := range keys {
		files = append(files, sockets[k])
	}
	pair, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("starting a worker: %w", err)
	}
	mine, theirs := os.NewFile(uintptr(pair[0]), "worker"), os.NewFile(uintptr(pair[1]), "master")
	mc, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		theirs.Close()
		return nil, err
	}
	defer mc.Close()
	conn := mc.(*net.UnixConn)
	args := []string{}
	for _, a := range os.Args[1:] {
		switch a {
		case "-W", "-Ws", "-D", "-" + daemonChildFlag:
			continue
		}
		args = append(args, a)
	}
	cmd := exec.Command(exe, append([]string{"-db"}, args...)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, stderr
	cmd.ExtraFiles = []*os.File{theirs}
	// A worker must not outlive its master (killed without a chance to
	// stop its workers).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	cmd.Env = append(os.Environ(), envWorker+"=3")
	if err := cmd.Start(); err != nil {
		theirs.Close()
		return nil, fmt.Errorf("starting a worker: %w", err)
	}
	theirs.Close()
	if err := fdpass.Send(conn, keys, files); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("handing the sockets to the worker: %w", err)
	}
	wk := &worker{cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(wk.done)
		select {
		case exited <- wk:
		default:
		}
	}()
	ready := make(chan bool, 1)
	go func() {
		buf := make([]byte, 16)
		n, _ := conn.Read(buf)
		ready <- string(buf[:n]) == "ready\n"
	}()
	select {
	case ok := <-ready:
		if !ok {
			<-wk.done
			return nil, fmt.Errorf("the worker failed to start")
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		mc.Close()
		<-wk.done
		return nil, fmt.Errorf("the worker did not start within a minute")
	}
	return wk, nil
}

// sdNotify sends a state to systemd (NOTIFY_SOCKET), as sd_notify(3).
func sdNotify(state string) {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return
	}
	if path[0] == '@' {
		path = "\x00" + path[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return
	}
	defer c.Close()
	c.Write([]byte(state))
}

// monotonicUsec is CLOCK_MONOTONIC in microseconds, which systemd wants
// with RELOADING=1.
func monotonicUsec() int64 {
	var ts syscall.Timespec
	// clock_gettime(CLOCK_MONOTONIC = 1)
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 1, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Sec*1e6 + ts.Nsec/1e3
}
