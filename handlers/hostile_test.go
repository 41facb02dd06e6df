package handlers_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
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
	// uncapped: its connections go to the black hole, not to MariaDB.
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

// TestAdminLogoutEndsTheSession: after 退出 the session cookie, replayed
// from a copy, is no session any more.
func TestAdminLogoutEndsTheSession(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		st := newSite(t, s, testAdmin(t))
		c := browserClient(t)
		dash := st.signIn(t, c)
		u, _ := url.Parse(st.pub.URL + "/admin")
		var copied []*http.Cookie
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == "ms_admin" {
				copied = append(copied, &http.Cookie{Name: ck.Name, Value: ck.Value, Path: "/admin"})
			}
		}
		if len(copied) != 1 {
			t.Fatalf("signed in without a session cookie")
		}
		code, _, hdr := fetch(t, c, http.MethodPost, st.pub.URL+"/admin/logout", url.Values{"csrf": {csrfOf(t, dash)}})
		if code != http.StatusSeeOther || hdr.Get("Location") != "/admin/login" {
			t.Fatalf("logout = %d %s; want 303 to /admin/login", code, hdr.Get("Location"))
		}
		replay := browserClient(t)
		replay.Jar.SetCookies(u, copied)
		if code, _, hdr := fetch(t, replay, http.MethodGet, st.pub.URL+"/admin", nil); code != http.StatusSeeOther || hdr.Get("Location") != "/admin/login" {
			t.Errorf("the cookie after logout = %d %s; want 303 to /admin/login", code, hdr.Get("Location"))
		}
		// Signing in again gives a new session that works.
		st.signIn(t, browserClient(t))
	})
}

// fromAddress is a browser whose connections come from ip (a loopback
// address other than 127.0.0.1 stands for another client).
func fromAddress(t *testing.T, ip string) *http.Client {
	t.Helper()
	c := browserClient(t)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.Transport = &http.Transport{DialContext: d.DialContext}
	return c
}

// TestAdminGuessingDoesNotLockTheUserOut: wrong passwords from one client
// slow that client down, doubling its wait, but the account's owner
// signs in from their own client at once.
func TestAdminGuessingDoesNotLockTheUserOut(t *testing.T) {
	st := newSite(t, modeltest.Open(t, "sqlite"), testAdmin(t)) // 3 free failures
	attacker := fromAddress(t, "127.0.0.2")
	try := func(c *http.Client, password string) (int, string) {
		t.Helper()
		_, page, _ := fetch(t, c, http.MethodGet, st.pub.URL+"/admin/login", nil)
		code, body, _ := fetch(t, c, http.MethodPost, st.pub.URL+"/admin/login", url.Values{"csrf": {csrfOf(t, page)}, "name": {adminName}, "password": {password}})
		return code, body
	}
	var waits []string
	for i := 0; i < 8; i++ {
		code, body := try(attacker, "guess")
		switch code {
		case http.StatusUnauthorized:
		case http.StatusTooManyRequests:
			m := regexp.MustCompile(`请 (\d+) 秒后再试`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("429 without the wait: %.300s", body)
			}
			waits = append(waits, m[1])
			n, _ := strconv.Atoi(m[1])
			st.clock.Add(time.Duration(n) * time.Second)
		default:
			t.Fatalf("guess %d = %d; want 401 or 429", i+1, code)
		}
	}
	if len(waits) < 2 || waits[0] != "1" || waits[1] != "2" {
		t.Errorf("the guessing client's waits = %v; want 1, 2, … seconds, doubling", waits)
	}
	if code, _ := try(browserClient(t), adminPassword); code != http.StatusSeeOther {
		t.Errorf("the owner's sign-in from their own client after the guessing = %d; want 303, not locked out", code)
	}
	try(attacker, "guess")
	if code, _ := try(attacker, adminPassword); code != http.StatusTooManyRequests {
		t.Errorf("the guessing client right after a guess = %d; want 429 (its wait)", code)
	}
}
