// Package embedded runs a NATS server with JetStream inside the current
// process, with file storage, so that package durable needs nothing
// installed. It is a separate package so that a program which only connects
// to an external cluster does not link the server (about 15 MB).
//
//	srv, err := embedded.Start("") // a default directory, a random loopback port
//	if err != nil {
//		return err
//	}
//	defer srv.Shutdown(context.Background())
//	client, err := durable.New(srv.Conn())
//
// The store survives the process: Start on the same directory after a crash
// finds every stream, message and key as the server last synced them (JetStream
// syncs its file store every two minutes by default and on every write with
// [SyncAlways]).
package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// ErrInvalidOption is wrapped by Start's error when an option has a bad value.
var ErrInvalidOption = errors.New("embedded: invalid option")

// Option configures Start. Options are values; a bad one makes Start fail
// with an error wrapping [ErrInvalidOption].
type Option interface{ apply(*config) error }

// option adapts a func to Option.
type option func(*config) error

func (f option) apply(c *config) error { return f(c) }

type config struct {
	host       string
	port       int
	inProcess  bool
	name       string
	ready      time.Duration
	maxStore   int64
	syncAlways bool
	logger     server.Logger
}

// Listen makes the server listen for clients on host:port. Port 0 (the
// default, with host "127.0.0.1") picks a free port; ClientURL tells which.
func Listen(host string, port int) Option {
	return option(func(c *config) error {
		if port < 0 || port > 65535 {
			return fmt.Errorf("%w: port %d out of range 0-65535", ErrInvalidOption, port)
		}
		if host == "" {
			host = "127.0.0.1"
		}
		c.host, c.port = host, port
		return nil
	})
}

// InProcessOnly opens no network listener at all: only [Server.Conn] and
// connections made with nats.InProcessServer reach the server, and
// ClientURL returns "".
func InProcessOnly() Option {
	return option(func(c *config) error { c.inProcess = true; return nil })
}

// Name sets the server's name (default "threadsystem"), which JetStream
// keeps in its metadata.
func Name(name string) Option {
	return option(func(c *config) error {
		if name == "" {
			return fmt.Errorf("%w: empty server name", ErrInvalidOption)
		}
		c.name = name
		return nil
	})
}

// ReadyTimeout is how long Start waits for the server to accept clients
// (default 10s; a restart on a large store replays its index first).
func ReadyTimeout(d time.Duration) Option {
	return option(func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("%w: ready timeout %v is not positive", ErrInvalidOption, d)
		}
		c.ready = d
		return nil
	})
}

// MaxStore caps the file store in bytes (default: the server's, 75% of the
// free disk).
func MaxStore(bytes int64) Option {
	return option(func(c *config) error {
		if bytes <= 0 {
			return fmt.Errorf("%w: max store %d is not positive", ErrInvalidOption, bytes)
		}
		c.maxStore = bytes
		return nil
	})
}

// SyncAlways makes the file store fsync every write before acknowledging it:
// nothing acknowledged is lost even when the machine (not only the process)
// dies, at a large cost in throughput. By default the store syncs every two
// minutes and a process crash loses nothing that was acknowledged.
func SyncAlways() Option {
	return option(func(c *config) error { c.syncAlways = true; return nil })
}

// Logger sends the server's log to l (by default the server logs nothing).
func Logger(l server.Logger) Option {
	return option(func(c *config) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidOption)
		}
		c.logger = l
		return nil
	})
}

// Server is a running in-process NATS server with JetStream. Its methods are
// safe for concurrent use. Make one with Start and stop it with Shutdown.
type Server struct {
	ns  *server.Server
	nc  *nats.Conn
	dir string
}

// DefaultDir is the store directory Start uses when given "": the user's
// cache directory (os.UserCacheDir) under threadsystem/jetstream, or the
// temporary directory when there is none.
func DefaultDir() string {
	base, err := os.UserCacheDir()
	if err != nil || base == "" {
		base = os.TempDir()
	}
	return filepath.Join(base, "threadsystem", "jetstream")
}

// Start starts a JetStream server storing its data under dir (DefaultDir
// when dir is ""), listening on a random loopback port unless options say
// otherwise, and waits until it accepts clients. It returns an error naming
// dir when the directory cannot be made or the server does not start; then
// nothing is left running. Two servers must not share a directory.
func Start(dir string, opts ...Option) (*Server, error) {
	c := config{host: "127.0.0.1", name: "threadsystem", ready: 10 * time.Second}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalidOption)
		}
		if err := o.apply(&c); err != nil {
			return nil, err
		}
	}
	if dir == "" {
		dir = DefaultDir()
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("embedded: store directory %q: %w", dir, err)
	}
	sopts := &server.Options{
		ServerName:         c.name,
		JetStream:          true,
		StoreDir:           dir,
		NoSigs:             true,
		NoLog:              c.logger == nil,
		Host:               c.host,
		Port:               c.port,
		DontListen:         c.inProcess,
		JetStreamMaxStore:  c.maxStore,
		JetStreamMaxMemory: 256 << 20,
		SyncAlways:         c.syncAlways,
	}
	if c.port == 0 {
		sopts.Port = server.RANDOM_PORT
	}
	ns, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("embedded: server on %q: %w", dir, err)
	}
	if c.logger != nil {
		ns.SetLoggerV2(c.logger, false, false, false)
	}
	ns.Start()
	if !ns.ReadyForConnections(c.ready) {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("embedded: server on %q not ready after %v", dir, c.ready)
	}
	nc, err := nats.Connect("", nats.InProcessServer(ns), nats.Name("embedded"), nats.MaxReconnects(-1))
	if err != nil {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("embedded: connect in process to server on %q: %w", dir, err)
	}
	return &Server{ns: ns, nc: nc, dir: dir}, nil
}

// Conn returns an in-process connection to the server, made by Start and
// closed by Shutdown. Share it (nats.Conn is safe for concurrent use) or make
// more with nats.Connect("", nats.InProcessServer(s.NATS())).
func (s *Server) Conn() *nats.Conn { return s.nc }

// ClientURL returns the URL other processes connect to, such as
// "nats://127.0.0.1:41234", or "" with InProcessOnly.
func (s *Server) ClientURL() string {
	if s.ns.ClientURL() == "" || s.ns.Addr() == nil {
		return ""
	}
	return s.ns.ClientURL()
}

// Dir returns the store directory.
func (s *Server) Dir() string { return s.dir }

// NATS returns the underlying server, for monitoring (Jsz, Varz) and for
// options this package does not wrap.
func (s *Server) NATS() *server.Server { return s.ns }

// Shutdown flushes and closes Conn, stops the server and waits until it has
// stopped or ctx ends, returning ctx's error then (the server still stops in
// the background). Connections of other clients are closed. Repeat calls are
// no-ops that wait likewise.
func (s *Server) Shutdown(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if !s.nc.IsClosed() {
		_ = s.nc.FlushTimeout(time.Second)
		s.nc.Close()
	}
	done := make(chan struct{})
	go func() {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("embedded: shutdown of server on %q: %w", s.dir, ctx.Err())
	}
}
