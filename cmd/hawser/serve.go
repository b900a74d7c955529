package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"runtime"
	"strconv"
	"syscall"

	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/metrics"
	"github.com/hawser-lb/hawser/internal/proxy"
	"github.com/hawser-lb/hawser/internal/stats"
)

const haproxyVersion = config.HAProxyVersion

// daemonChildFlag marks the detached child of a daemonizing hawser; it is
// not meant to be typed.
const daemonChildFlag = "-hawser-daemon-child"

// serve runs hawser with the configuration files of f.
func serve(f *flags, stdout, stderr io.Writer) int {
	cfg, err := config.ParseFiles(f.files)
	if err != nil {
		printConfigError(stderr, err)
		return 1
	}
	if !f.quiet {
		for _, w := range cfg.Warnings {
			fmt.Fprintf(stderr, "[WARNING] %s\n", w)
		}
	}
	// The statistics page and the Prometheus exporter are applets the
	// proxy answers itself.
	mx := metrics.New(Version)
	opts := proxy.Options{Stderr: stderr, Quiet: f.quiet, OnTunnelEnd: mx.TunnelEnded, Applets: proxy.Applets{
		StatsPage: stats.Page,
		Services:  map[string]func(*proxy.Engine) http.Handler{"prometheus-exporter": mx.Handler},
	}}
	if f.debug {
		opts.Debug = stderr
	}
	if !f.check {
		inherited, err := inheritedSockets(f)
		if err != nil {
			fmt.Fprintf(stderr, "[ALERT] %v\n", err)
			return 1
		}
		opts.Inherited = inherited
	}
	e, err := proxy.New(cfg, opts)
	if err != nil {
		printConfigError(stderr, err)
		return 1
	}
	if f.check {
		shutdownNow(e)
		fmt.Fprintln(stdout, "Configuration file is valid")
		return 0
	}
	g := &cfg.Global
	daemon := (g.Daemon || f.daemon) && !f.fg && !f.debug
	if daemon && !f.daemonKid {
		shutdownNow(e)
		return daemonize(stderr)
	}
	if (f.master || g.MasterWorker) && os.Getenv("HAWSER_WORKER") == "" {
		shutdownNow(e)
		return runMaster(f, cfg, stdout, stderr, f.notify)
	}
	if g.Nbthread > 0 {
		runtime.GOMAXPROCS(g.Nbthread)
	}
	raiseFileLimit(g, stderr)
	fail := func(err error) int {
		fmt.Fprintf(stderr, "[ALERT] %v\n", err)
		if f.daemonKid {
			signalReady(err)
		}
		shutdownNow(e)
		return 1
	}
	// Before Start: the statistics page reads it once requests come in.
	stats.Version = Version
	// Bind with the privileges binding may need, accept only after they
	// are dropped (below).
	if err := e.Bind(); err != nil {
		return fail(err)
	}
	api, err := stats.Listen(e, g)
	if err != nil {
		return fail(err)
	}
	defer api.Close()
	pidfile := f.pidfile
	if pidfile == "" {
		pidfile = g.Pidfile
	}
	if pidfile != "" {
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			return fail(fmt.Errorf("cannot write pidfile: %w", err))
		}
		defer os.Remove(pidfile)
	}
	if err := dropPrivileges(g); err != nil {
		return fail(err)
	}
	if err := e.Start(); err != nil {
		return fail(err)
	}
	if f.daemonKid {
		signalReady(nil)
	}
	workerReady()
	// A successor takes over: the old processes stop accepting now that we
	// listen (-sf: they finish their work; -st: they stop).
	for _, pid := range f.softStop {
		syscall.Kill(pid, syscall.SIGUSR1)
	}
	for _, pid := range f.hardStop {
		syscall.Kill(pid, syscall.SIGTERM)
	}

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR2, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	for sig := range sigs {
		switch sig {
		case syscall.SIGHUP, syscall.SIGUSR2:
			// Reload in process: re-read every -f file; on any error keep
			// the running configuration.
			if err := reload(e, f, stderr); err != nil {
				printConfigError(stderr, err)
				fmt.Fprintf(stderr, "[ALERT] reload failed: the running configuration is kept\n")
			} else if !f.quiet {
				fmt.Fprintf(stderr, "[NOTICE] configuration reloaded\n")
			}
			continue
		}
		// SIGTERM, SIGINT: stop accepting, finish in-flight requests, then
		// close the tunnels and exit. SIGUSR1 (soft stop, HAProxy's): also
		// wait for the tunnels to end. hard-stop-after bounds both.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if hs := e.Generation().Config.Global.HardStopAfter; hs > 0 {
			ctx, cancel = context.WithTimeout(ctx, hs)
			defer cancel()
		}
		// A second SIGTERM or SIGINT while stopping closes everything now,
		// and a third exits at once.
		go func() {
			n := 0
			for sig := range sigs {
				if sig != syscall.SIGTERM && sig != syscall.SIGINT {
					continue
				}
				if n++; n == 1 {
					cancel()
				} else {
					os.Exit(1)
				}
			}
		}()
		stop := e.Shutdown
		if sig == syscall.SIGUSR1 {
			stop = e.SoftStop
		}
		if err := stop(ctx); err != nil && !f.quiet {
			fmt.Fprintf(stderr, "[WARNING] hard-stop-after reached: remaining connections closed\n")
		}
		return 0
	}
	return 0
}

// reload re-reads the configuration files and switches the engine to
// them.
func reload(e *proxy.Engine, f *flags, stderr io.Writer) error {
	cfg, err := config.ParseFiles(f.files)
	if err != nil {
		return err
	}
	if !f.quiet {
		for _, w := range cfg.Warnings {
			fmt.Fprintf(stderr, "[WARNING] %s\n", w)
		}
	}
	return e.Reload(cfg)
}

// inheritedSockets collects the listening sockets this process is given:
// a predecessor's (-x) and systemd's (socket activation, LISTEN_FDS).
func inheritedSockets(f *flags) (map[string]*os.File, error) {
	out := map[string]*os.File{}
	fromMaster, err := workerSockets()
	if err != nil {
		return nil, err
	}
	for k, file := range fromMaster {
		out[k] = file
	}
	if n, _ := strconv.Atoi(os.Getenv("LISTEN_FDS")); n > 0 && os.Getenv("LISTEN_PID") == strconv.Itoa(os.Getpid()) {
		for fd := 3; fd < 3+n; fd++ {
			file := os.NewFile(uintptr(fd), "systemd")
			key, err := proxy.SocketKey(file)
			if err != nil {
				continue
			}
			out[key] = file
		}
	}
	if f.xfer != "" {
		got, err := stats.FetchSockets(f.xfer)
		if err != nil {
			return nil, fmt.Errorf("-x %s: %w", f.xfer, err)
		}
		for k, file := range got {
			out[k] = file
		}
	}
	return out, nil
}

func shutdownNow(e *proxy.Engine) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e.Shutdown(ctx)
}

// printConfigError prints each configuration error on its own line.
func printConfigError(w io.Writer, err error) {
	var list config.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintf(w, "[ALERT] %v\n", e)
		}
		fmt.Fprintf(w, "[ALERT] fatal errors found in configuration\n")
		return
	}
	fmt.Fprintf(w, "[ALERT] %v\n", err)
}

// daemonize starts a detached copy of this process (a new session, its
// standard streams on /dev/null) and waits until it reports that it is
// listening, so that the command's exit status says whether hawser runs.
func daemonize(stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "[ALERT] daemon: %v\n", err)
		return 1
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(stderr, "[ALERT] daemon: %v\n", err)
		return 1
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintf(stderr, "[ALERT] daemon: %v\n", err)
		return 1
	}
	cmd := exec.Command(exe, append([]string{"-" + daemonChildFlag}, os.Args[1:]...)...)
	cmd.Stdin, cmd.Stdout = null, null
	// The child reports startup errors through the pipe; until it is
	// ready its stderr is ours, afterwards /dev/null.
	cmd.Stderr = null
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "[ALERT] daemon: %v\n", err)
		return 1
	}
	w.Close()
	msg, _ := io.ReadAll(r)
	if string(msg) != "ready\n" {
		if len(msg) == 0 {
			msg = []byte("the background process exited during startup\n")
		}
		fmt.Fprintf(stderr, "[ALERT] %s", msg)
		cmd.Wait()
		return 1
	}
	cmd.Process.Release()
	return 0
}

// signalReady tells the waiting parent that the daemon started (err nil)
// or failed.
func signalReady(err error) {
	f := os.NewFile(3, "ready")
	if f == nil {
		return
	}
	if err != nil {
		fmt.Fprintf(f, "%v\n", err)
	} else {
		f.WriteString("ready\n")
	}
	f.Close()
}

// raiseFileLimit applies ulimit-n, or raises the soft limit to what
// maxconn needs (two descriptors per connection), warning when the hard
// limit is too low.
func raiseFileLimit(g *config.Global, stderr io.Writer) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return
	}
	want := uint64(g.UlimitN)
	if want == 0 && g.Maxconn > 0 {
		want = uint64(2*g.Maxconn + 100)
	}
	if want == 0 || want <= rl.Cur {
		return
	}
	if want > rl.Max {
		fmt.Fprintf(stderr, "[WARNING] the file descriptor limit is %d: too low for %d (ulimit-n or 2 x maxconn); the process may run out of file descriptors\n", rl.Max, want)
		want = rl.Max
	}
	rl.Cur = want
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
}

// dropPrivileges applies chroot, group and user from the global section,
// after the listening sockets are open, as HAProxy does.
func dropPrivileges(g *config.Global) error {
	uid, gid := g.UID, g.GID
	if g.User != "" {
		u, err := user.Lookup(g.User)
		if err != nil {
			return fmt.Errorf("cannot find user '%s': %w", g.User, err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		if gid < 0 && g.Group == "" {
			gid, _ = strconv.Atoi(u.Gid)
		}
	}
	if g.Group != "" {
		grp, err := user.LookupGroup(g.Group)
		if err != nil {
			return fmt.Errorf("cannot find group '%s': %w", g.Group, err)
		}
		gid, _ = strconv.Atoi(grp.Gid)
	}
	if g.Chroot != "" {
		if err := syscall.Chroot(g.Chroot); err != nil {
			return fmt.Errorf("cannot chroot to '%s': %w", g.Chroot, err)
		}
		if err := os.Chdir("/"); err != nil {
			return fmt.Errorf("cannot chdir to '/' after chroot: %w", err)
		}
	}
	if gid >= 0 && gid != os.Getgid() {
		if err := syscall.Setgroups([]int{gid}); err != nil {
			return fmt.Errorf("cannot set groups to %d: %w", gid, err)
		}
		if err := syscall.Setgid(gid); err != nil {
			return fmt.Errorf("cannot set gid to %d: %w", gid, err)
		}
	}
	if uid >= 0 && uid != os.Getuid() {
		if err := syscall.Setuid(uid); err != nil {
			return fmt.Errorf("cannot set uid to %d: %w", uid, err)
		}
	}
	return nil
}
