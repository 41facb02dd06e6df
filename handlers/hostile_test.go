package handlers_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// blackHole is a TCP proxy to a database that can turn into a black hole:
// it then accepts connections and never answers, and what pooled
// connections send goes nowhere, as a hung database server does.
type blackHole struct {
	ln     net.Listener
	target string
	hole   atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func newBlackHole(t *testing.T, target string) *blackHole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	modeltest.Must(t, err, "listen")
	b := &blackHole{ln: ln, target: target}
	t.Cleanup(func() {
		ln.Close()
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, c := range b.conns {
			c.Close()
		}
	})
	go b.serve()
	return b
}

func (b *blackHole) keep(c net.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.conns = append(b.conns, c)
}

func (b *blackHole) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.keep(c)
		if b.hole.Load() {
			continue // accepted, never answered
		}
		up, err := net.Dial("tcp", b.target)
		if err != nil {
			c.Close()
			continue
		}
		b.keep(up)
		go b.pipe(up, c)
		go b.pipe(c, up)
	}
}

// pipe copies src to dst until either closes; in a black hole it drops.
func (b *blackHole) pipe(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !b.hole.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestCallbackAgainstBlackHoleDatabase: the database accepts connections and
// never answers; the citizen is told 系统繁忙 within WeChat's 5 seconds, and
// once the database answers again the retry opens the case once.
func TestCallbackAgainstBlackHoleDatabase(t *testing.T) {
	_, dsn := modeltest.DSN(t, "mysql")
	cfg, err := mysql.ParseDSN(dsn)
	modeltest.Must(t, err, "dsn")
	hole := newBlackHole(t, cfg.Addr)
	cfg.Addr = hole.ln.Addr().String()
	s, err := models.Open("mysql", cfg.FormatDSN(), modeltest.Shanghai)
	modeltest.Must(t, err, "open")
	t.Cleanup(func() { s.Close() })
	modeltest.Must(t, s.Migrate(context.Background()), "migrate")
	h := newHarness(t, s)
	if r := h.send(t, h.safe, text("oWarm", "先反映一个问题：路灯不亮")); !strings.Contains(r.Content, "编号：") {
		t.Fatalf("before the hole: %q; want a case number", r.Content)
	}

	hole.hole.Store(true)
	m := h.safe.Fill(text("oHole", "幸福小区的下水道堵了好几天"))
	start := time.Now()
	r := h.send(t, h.safe, m)
	took := time.Since(start)
	if !strings.Contains(r.Content, "系统繁忙") {
		t.Errorf("reply with a hung database = %q; want 系统繁忙", r.Content)
	}
	if took > 5*time.Second {
		t.Errorf("reply with a hung database took %v; want under WeChat's 5 s", took.Round(time.Millisecond))
	}

	hole.hole.Store(false)
	if r := h.send(t, h.safe, m); !strings.Contains(r.Content, "编号：") {
		t.Errorf("retry after the database is back = %q; want the case number", r.Content)
	}
	if r := h.send(t, h.safe, m); !strings.Contains(r.Content, "编号：") {
		t.Errorf("second retry = %q; want the same case", r.Content)
	}
	var n int64
	modeltest.Must(t, s.DB().Model(&models.Case{}).Count(&n).Error, "count")
	if n != 2 {
		t.Errorf("%d cases; want 2 (the warm-up and the retried one, once)", n)
	}
}

// TestHealthzFailsWithoutTheTables: /healthz reads what the intake needs, so
// it fails when a table is gone, or the whole database, though the server
// still answers a ping.
func TestHealthzFailsWithoutTheTables(t *testing.T) {
	health := func(t *testing.T, h *harness) int {
		t.Helper()
		resp, err := http.Get(h.srv.URL + "/healthz")
		modeltest.Must(t, err, "GET /healthz")
		resp.Body.Close()
		return resp.StatusCode
	}
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		h := newHarness(t, s)
		if got := health(t, h); got != http.StatusOK {
			t.Fatalf("/healthz with the tables = %d; want 200", got)
		}
		modeltest.Must(t, s.DB().Exec("DROP TABLE case_sequences").Error, "drop")
		modeltest.Must(t, s.Ping(context.Background()), "ping")
		if got := health(t, h); got != http.StatusServiceUnavailable {
			t.Errorf("/healthz with case_sequences dropped = %d; want 503", got)
		}
	})
	t.Run("DatabaseDropped", func(t *testing.T) {
		s := modeltest.Open(t, "mysql")
		h := newHarness(t, s)
		var name string
		modeltest.Must(t, s.DB().Raw("SELECT DATABASE()").Scan(&name).Error, "database name")
		modeltest.Must(t, s.DB().Exec("DROP DATABASE "+name).Error, "drop database")
		if got := health(t, h); got != http.StatusServiceUnavailable {
			t.Errorf("/healthz with the database dropped = %d; want 503", got)
		}
	})
}
