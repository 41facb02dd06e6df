package app_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"minsheng/app"
	"minsheng/config"
	"minsheng/models/modeltest"
)

// serveSandbox runs the server as serve does, in sandbox mode on its own
// SQLite file, with cfg changed by edit; it returns the address and stops
// the server when the test ends.
func serveSandbox(t *testing.T, edit func(*config.Config)) string {
	t.Helper()
	cfg := config.Defaults()
	cfg.Location = modeltest.Shanghai
	cfg.Database.DSN = filepath.Join(t.TempDir(), "minsheng.db")
	cfg.Server.Sandbox = "on"
	if edit != nil {
		edit(&cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	modeltest.Must(t, err, "listen")
	a, err := app.New(context.Background(), &cfg, app.WithListener(ln), app.WithLogger(quiet), app.WithoutWork())
	modeltest.Must(t, err, "New")
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		stop()
		<-done
		a.Close()
	})
	return a.Addr()
}

// TestSlowBodyIsCut: a client sending its body a byte at a time cannot hold
// a connection past server.read_timeout.
func TestSlowBodyIsCut(t *testing.T) {
	addr := serveSandbox(t, func(c *config.Config) { c.Server.ReadTimeout = config.Duration(time.Second) })
	conn, err := net.Dial("tcp", addr)
	modeltest.Must(t, err, "dial")
	defer conn.Close()
	const size = 100 // a byte per 100 ms: 10 s
	fmt.Fprintf(conn, "POST /callback/mp?signature=x&timestamp=1&nonce=n HTTP/1.1\r\nHost: %s\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n", addr, size)
	start := time.Now()
	go func() {
		for range size {
			if _, err := conn.Write([]byte("x")); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		if _, err := conn.Read(buf); err != nil {
			break
		}
	}
	if held := time.Since(start); held > 4*time.Second {
		t.Errorf("a slow body held the connection %v; want it cut after about 1s (read_timeout)", held.Round(time.Millisecond))
	}
}

// TestIdleConnectionIsClosed: a kept-alive connection that sends nothing is
// closed after server.idle_timeout.
func TestIdleConnectionIsClosed(t *testing.T) {
	addr := serveSandbox(t, func(c *config.Config) { c.Server.IdleTimeout = config.Duration(500 * time.Millisecond) })
	conn, err := net.Dial("tcp", addr)
	modeltest.Must(t, err, "dial")
	defer conn.Close()
	fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	start := time.Now()
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		if _, err := conn.Read(buf); err != nil {
			break
		}
	}
	if held := time.Since(start); held > 3*time.Second {
		t.Errorf("an idle connection stayed open %v; want it closed after about 0.5s (idle_timeout)", held.Round(time.Millisecond))
	}
}
