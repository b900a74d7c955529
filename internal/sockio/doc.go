// Package sockio does socket I/O with raw system calls: the non-blocking
// calls of the tunnel's epoll engine, and a Conn that reads and writes a
// net.Conn's socket the same way while still waiting for readiness (and
// honouring deadlines) through the runtime's network poller.
//
// Why not the runtime's Syscall: every system call made through it tells
// the scheduler the thread may block (entersyscall/exitsyscall). Under
// load a loopback write, connect or close often takes tens of
// microseconds, because the kernel delivers the segment to the peer in
// the caller's context; sysmon then sees a P "stuck in a system call",
// hands it to another thread, and keeps itself waking every 20 µs. And
// each system call made while every P was idle wakes sysmon from its deep
// sleep. On the WebSocket handshake benchmark sysmon's wake-ups alone were
// ~6% of hawser's CPU, on the echo benchmark the tunnel engine's
// bookkeeping half the context switches. Every call here is non-blocking
// (sockets are O_NONBLOCK, close has no linger to wait for, epoll_pwait a
// zero timeout), so the bookkeeping buys nothing.
package sockio
