package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"minsheng/app/apptest"
	"minsheng/bot"
	"minsheng/bot/mp"
	"minsheng/bot/mp/mptest"
	"minsheng/bot/wecom"
	"minsheng/bot/wecom/wecomtest"
	"minsheng/config"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// The platform credentials of the crash test; the secrets reach the server
// through MINSHENG_* variables, as in production.
const (
	crashAppID    = "wxcrash000000001"
	crashSecret   = "crash-app-secret"
	crashToken    = "crashtoken"
	crashAESKey   = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	crashCorpID   = "wwcrash000000001"
	crashWCSecret = "crash-wecom-secret"
	crashWCToken  = "crashwecomtoken"
	crashWCKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	crashAgentID  = 1000002
)

var ackNoRe = regexp.MustCompile(`编号：(\d{11,20})`)

// TestServerKilledMidLoad builds the real binary, serves it on a fresh
// database with the platforms faked, and kills it with SIGKILL while
// citizens report and the dispatcher assigns. Two instances then come up on
// the same database, WeChat retries what was never answered, and the test
// checks what the design promises:
//   - every citizen message answered 200 with a case number is that case,
//     and after WeChat's retries every report is exactly one case;
//   - every queued outbound message is delivered;
//   - nothing arrives twice where the platform can tell (WeCom cards by
//     task id, app messages by WeCom's duplicate check); on the group
//     robots and the Official Account, which cannot tell, a message
//     arrives twice only if the killed server had sent it and not yet
//     recorded it (in doubt), and the test reports how many.
//
// That jobs run once across two instances is the scheduler's to prove; here
// the second instance shows deliveries stay once.
func TestServerKilledMidLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	for _, driver := range modeltest.Drivers {
		t.Run(driver, func(t *testing.T) { crashRun(t, driver) })
	}
}

// crashWorld is the test's view of one run: the fakes, the binary's
// configuration and what the citizens and the dispatcher were told.
type crashWorld struct {
	bin, cfgPath string
	env          []string
	driver, dsn  string
	wc           *wecomtest.FakeServer
	mpAPI        *mptest.FakeAPI

	mu      sync.Mutex
	reports []crashReport
	assigns map[string]bool // case numbers the dispatcher's 交办 was answered for
}

// crashReport is one citizen message as WeChat would keep it for retries.
type crashReport struct {
	msg   mp.Message
	q     url.Values
	body  []byte
	acked string // the case number of a 200 answer; "" until one came
}

var buildOnce struct {
	sync.Once
	bin string
	err error
	out []byte
}

// serverBinary builds this module's binary once per test process.
func serverBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "minsheng-crash-bin")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.bin = filepath.Join(dir, "minsheng")
		cmd := exec.Command("go", "build", "-o", buildOnce.bin, ".")
		buildOnce.out, buildOnce.err = cmd.CombinedOutput()
	})
	if buildOnce.err != nil {
		t.Fatalf("go build: %v\n%s", buildOnce.err, buildOnce.out)
	}
	return buildOnce.bin
}

func crashRun(t *testing.T, driver string) {
	w := &crashWorld{bin: serverBinary(t), assigns: map[string]bool{}}
	w.driver, w.dsn = modeltest.DSN(t, driver)

	w.wc = wecomtest.NewFakeServer(crashCorpID, crashWCSecret, crashAgentID)
	org := apptest.Small()
	for _, m := range org.Members {
		w.wc.AddUsers(m.UserID)
	}
	for _, k := range []string{"key-cg", "key-zj", "key-joint"} {
		w.wc.AddWebhook(k)
	}
	wcSrv := httptest.NewServer(w.wc)
	t.Cleanup(wcSrv.Close)
	w.mpAPI = mptest.NewFakeAPI(crashAppID, crashSecret)
	mpSrv := httptest.NewServer(w.mpAPI)
	t.Cleanup(mpSrv.Close)

	w.cfgPath = filepath.Join(t.TempDir(), "minsheng.yaml")
	orgYAML, err := yaml.Marshal(map[string]config.Org{"org": org})
	modeltest.Must(t, err, "org as YAML")
	cfg := fmt.Sprintf(crashConfig, w.driver, crashAppID, mpSrv.URL, crashCorpID, crashAgentID, wcSrv.URL) + string(orgYAML)
	modeltest.Must(t, os.WriteFile(w.cfgPath, []byte(cfg), 0o600), "write config")
	w.env = append(cleanEnv(),
		"MINSHENG_DATABASE_DSN="+w.dsn,
		"MINSHENG_MP_APP_SECRET="+crashSecret, "MINSHENG_MP_TOKEN="+crashToken, "MINSHENG_MP_ENCODING_AES_KEY="+crashAESKey,
		"MINSHENG_WECOM_SECRET="+crashWCSecret, "MINSHENG_WECOM_TOKEN="+crashWCToken, "MINSHENG_WECOM_ENCODING_AES_KEY="+crashWCKey,
	)

	// Phase 1: one server under load, killed with SIGKILL halfway.
	first := w.start(t)
	const reports = 60
	for i := range reports {
		w.reports = append(w.reports, w.newReport(i))
	}
	killed := make(chan struct{})
	var once sync.Once
	kill := func() {
		once.Do(func() {
			if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Errorf("kill -9: %v", err)
			}
			<-first.done
			close(killed)
		})
	}
	w.load(t, []string{first.url}, func(acked int) {
		if acked == reports/2 {
			go kill()
		}
	})
	kill()
	<-killed
	beforeRetries := w.ackedCount()
	t.Logf("%s: killed with %d of %d reports acknowledged", driver, beforeRetries, reports)
	if beforeRetries == 0 || beforeRetries == reports {
		t.Fatalf("the kill came at %d of %d acknowledged: the test proves nothing", beforeRetries, reports)
	}

	// What the killed server claimed and did not record is in doubt: it may
	// or may not have reached the platform.
	store, err := models.Open(w.driver, w.dsn, modeltest.Shanghai)
	modeltest.Must(t, err, "open store")
	modeltest.Cap(store)
	t.Cleanup(func() { store.Close() })
	w.checkAcked(t, store)
	var doubt []models.Outbox
	modeltest.Must(t, store.DB().Where("status = ? AND lease_owner <> ''", models.OutboxPending).Find(&doubt).Error, "in-doubt rows")
	inDoubt := map[string]int{}
	for _, r := range doubt {
		inDoubt[string(r.Platform)+" "+strings.SplitN(r.Target, ":", 2)[0]]++
	}
	t.Logf("%s: %d outbox rows in doubt at the kill: %v", driver, len(doubt), inDoubt)
	// The lease (a minute) would run out by itself; end it now instead of
	// waiting, as if the restart came a minute later.
	modeltest.Must(t, store.DB().Model(&models.Outbox{}).Where("status = ? AND lease_owner <> ''", models.OutboxPending).
		Update("lease_until", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).Error, "end the dead server's leases")

	// Phase 2: two servers on the same database; WeChat retries what was
	// not answered, reaching either of them.
	a, b := w.start(t), w.start(t)
	w.load(t, []string{a.url, b.url}, nil)
	if n := w.ackedCount(); n != reports {
		t.Fatalf("%d of %d reports acknowledged after the retries", n, reports)
	}
	w.checkAcked(t, store)
	w.waitDelivered(t, store, 45*time.Second)
	w.checkDeliveries(t, store, len(doubt))
	for _, s := range []*crashServer{a, b} {
		s.stop(t)
	}
}

// crashConfig is the server's configuration file without its org (the
// tests' apptest.Small, appended); secrets and the DSN come from the
// environment. Placeholders: driver, app id, mp api base, corp id, agent id,
// wecom api base.
const crashConfig = `
server:
  addr: 127.0.0.1:0
  sandbox: "off"
  shutdown_timeout: 5s
database:
  driver: %s
  dsn: set-by-env
mp:
  app_id: %s
  api_base: %s
wecom:
  corp_id: %s
  agent_id: "%d"
  api_base: %s
`

// cleanEnv is the test's environment without MINSHENG_* settings.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MINSHENG_") {
			out = append(out, kv)
		}
	}
	return out
}

// crashServer is one running server process.
type crashServer struct {
	cmd  *exec.Cmd
	url  string
	log  *bytes.Buffer
	done chan struct{} // closed when the process has exited
	err  error         // its exit, once done
}

// start runs the binary on a free port and waits for /healthz.
func (w *crashWorld) start(t *testing.T) *crashServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	modeltest.Must(t, err, "find a free port")
	addr := ln.Addr().String()
	ln.Close()
	log := &bytes.Buffer{}
	cmd := exec.Command(w.bin, "-config", w.cfgPath, "serve")
	cmd.Env = append(append([]string{}, w.env...), "MINSHENG_SERVER_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = &syncWriter{b: log}, &syncWriter{b: log}
	modeltest.Must(t, cmd.Start(), "start server")
	s := &crashServer{cmd: cmd, url: "http://" + addr, log: log, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("server %s log:\n%s", addr, tail(log.String(), 4000))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("server on %s exited at start: %v\n%s", addr, s.err, tail(log.String(), 4000))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("server on %s did not come up in 30 s: %v\n%s", addr, err, tail(log.String(), 4000))
		}
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (s *crashServer) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		if s.err != nil {
			t.Errorf("server %s stopped with %v", s.url, s.err)
		}
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		t.Errorf("server %s did not stop within 15 s of SIGTERM", s.url)
	}
}

type syncWriter struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func (w *crashWorld) mpDriver(base string) *mp.Driver {
	return &mp.Driver{URL: base + "/callback/mp", AppID: crashAppID, Token: crashToken, EncodingAESKey: crashAESKey, Safe: true,
		HTTP: &http.Client{Timeout: 5 * time.Second}}
}

func (w *crashWorld) wecomDriver(base string) *wecom.Driver {
	return &wecom.Driver{URL: base + "/callback/wecom", CorpID: crashCorpID, AgentID: fmt.Sprint(crashAgentID),
		Token: crashWCToken, EncodingAESKey: crashWCKey, HTTP: &http.Client{Timeout: 5 * time.Second}}
}

// newReport prepares report i once, so that every retry is byte-identical.
func (w *crashWorld) newReport(i int) crashReport {
	d := w.mpDriver("http://unused")
	problem := []string{"路灯不亮了", "物业不管楼道堵塞"}[i%2]
	m := d.Fill(mp.Message{FromUser: fmt.Sprintf("oCrashCitizen%03d", i), ToUser: "gh_crash", MsgType: "text",
		Content: fmt.Sprintf("幸福小区%d号楼%s，已经好几天了", i+1, problem)})
	q, body, err := d.Prepare(m)
	if err != nil {
		panic(err) // a valid key cannot fail to encrypt
	}
	w.mpAPI.Touch(m.FromUser, time.Now())
	return crashReport{msg: m, q: q, body: body}
}

// load sends every report not yet acknowledged, on four clients spread over
// the servers, and the dispatcher's 交办 for each acknowledged case. after
// is called with the running count of acknowledgements.
func (w *crashWorld) load(t *testing.T, servers []string, after func(acked int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := servers[c%len(servers)]
			d, member := w.mpDriver(base), w.wecomDriver(base)
			for i := range next {
				w.mu.Lock()
				r := w.reports[i]
				w.mu.Unlock()
				if r.acked == "" {
					rep, err := d.Replay(context.Background(), r.msg, r.q, r.body)
					if err != nil {
						continue // not answered: WeChat will retry
					}
					no := ackNoRe.FindStringSubmatch(rep.Content)
					if no == nil {
						t.Errorf("report %d answered 200 without a case number: %q", i, rep.Content)
						continue
					}
					w.mu.Lock()
					w.reports[i].acked = no[1]
					n := 0
					for _, r := range w.reports {
						if r.acked != "" {
							n++
						}
					}
					w.mu.Unlock()
					if after != nil {
						after(n)
					}
					r.acked = no[1]
				}
				w.mu.Lock()
				done := w.assigns[r.acked]
				w.mu.Unlock()
				if done {
					continue
				}
				dept := map[bool]string{true: "cg", false: "zj"}[strings.Contains(r.msg.Content, "路灯")]
				rep, err := member.SendText(context.Background(), "dispatcher1", "交办 "+r.acked+" "+dept, int64(900000+i))
				if err == nil && strings.Contains(rep.Content, r.acked) {
					w.mu.Lock()
					w.assigns[r.acked] = true
					w.mu.Unlock()
				}
			}
		}()
	}
	for i := range w.reports {
		next <- i
	}
	close(next)
	wg.Wait()
}

func (w *crashWorld) ackedCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, r := range w.reports {
		if r.acked != "" {
			n++
		}
	}
	return n
}

// checkAcked checks that every acknowledged report is the case its answer
// named, reported by that citizen, and that no citizen has two cases.
func (w *crashWorld) checkAcked(t *testing.T, s *models.Store) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range w.reports {
		if r.acked == "" {
			continue
		}
		var got struct{ OpenID, Content string }
		err := s.DB().Table("cases").Select("citizens.open_id, cases.content").
			Joins("JOIN citizens ON citizens.id = cases.citizen_id").Where("cases.no = ?", r.acked).Scan(&got).Error
		modeltest.Must(t, err, "case %s", r.acked)
		if got.OpenID != r.msg.FromUser || got.Content != r.msg.Content {
			t.Errorf("acknowledged case %s is %q from %q; want %q from %q", r.acked, got.Content, got.OpenID, r.msg.Content, r.msg.FromUser)
		}
	}
	var twice int64
	modeltest.Must(t, s.DB().Table("cases").Select("citizen_id").Group("citizen_id").Having("COUNT(*) > 1").Count(&twice).Error, "cases per citizen")
	if twice != 0 {
		t.Errorf("%d citizens have more than one case; each reported once", twice)
	}
}

// waitDelivered waits until no outbox row is pending.
func (w *crashWorld) waitDelivered(t *testing.T, s *models.Store, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		n, err := s.OutboxDepth(context.Background())
		modeltest.Must(t, err, "outbox depth")
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			var rows []models.Outbox
			s.DB().Where("status = ?", models.OutboxPending).Limit(5).Find(&rows)
			for _, r := range rows {
				t.Logf("pending: %d %s %s %s attempts %d next %v lease %q: %s", r.ID, r.Platform, r.Target, r.Kind, r.Attempts, r.NextAttemptAt, r.LeaseOwner, r.LastError)
			}
			t.Fatalf("%d outbox rows still pending after %s", n, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkDeliveries compares the outbox with what the fakes received.
func (w *crashWorld) checkDeliveries(t *testing.T, s *models.Store, inDoubt int) {
	t.Helper()
	var rows []models.Outbox
	modeltest.Must(t, s.DB().Order("id").Find(&rows).Error, "outbox")
	if len(rows) == 0 {
		t.Fatal("nothing was queued; the test proves nothing")
	}
	openid := map[string]string{}
	var citizens []models.Citizen
	modeltest.Must(t, s.DB().Find(&citizens).Error, "citizens")
	for _, c := range citizens {
		openid[fmt.Sprintf("citizen:%d", c.ID)] = c.OpenID
	}
	app := w.wc.AppMessages()
	tasks := map[string]int{}
	appTexts := map[string]int{}
	for _, m := range app {
		if m.TaskID != "" {
			tasks[m.TaskID]++
		} else {
			appTexts[m.ToUser+"\x00"+m.Text]++
		}
	}
	groups := map[string][]wecomtest.GroupMessage{}
	for _, k := range []string{"key-cg", "key-zj", "key-joint"} {
		groups[strings.TrimPrefix(k, "key-")] = w.wc.GroupMessages(k)
	}
	sent := w.mpAPI.Sent()
	kinds := map[string]int{}
	for _, r := range rows {
		kinds[string(r.Platform)+" "+r.Kind]++
		if r.Status != models.OutboxSent {
			t.Errorf("outbox %d (%s %s to %s) is %s after %d attempts: %s", r.ID, r.Platform, r.Kind, r.Target, r.Status, r.Attempts, r.LastError)
			continue
		}
		o, err := bot.DecodeOutgoing(r.Payload)
		modeltest.Must(t, err, "payload of %d", r.ID)
		switch {
		case r.Platform == "wecom" && strings.HasPrefix(r.Target, "member:") && o.Kind == bot.KindCard:
			if tasks[o.TaskID] != 1 {
				t.Errorf("card %s (%s) reached WeCom %d times; want once", o.TaskID, r.Kind, tasks[o.TaskID])
			}
		case r.Platform == "wecom" && (strings.HasPrefix(r.Target, "group:") || r.Target == models.JointTarget().String()):
			key := strings.TrimPrefix(r.Target, "group:")
			if r.Target == models.JointTarget().String() {
				key = "joint"
			}
			if !anyGroupHas(groups[key], o.CaseNo) {
				t.Errorf("group %s never got the %s message of case %s", key, r.Kind, o.CaseNo)
			}
		case r.Platform == "mp":
			to := openid[r.Target]
			if !anyCitizenGot(sent, to, o.CaseNo) {
				t.Errorf("citizen %s never got the %s message of case %s", r.Target, r.Kind, o.CaseNo)
			}
		}
	}
	for k, n := range appTexts {
		if n > 1 {
			t.Errorf("WeCom app message delivered %d times (its duplicate check failed): %.80q", n, k)
		}
	}
	// Group robots and the Official Account cannot tell a resend: count
	// what arrived twice; only messages in doubt at the kill may have.
	twice := 0
	for key, msgs := range groups {
		seen := map[string]bool{}
		for _, m := range msgs {
			if seen[m.Text] {
				twice++
				t.Logf("group %s got a message twice: %.60q", key, m.Text)
			}
			seen[m.Text] = true
		}
	}
	seen := map[string]bool{}
	for _, m := range sent {
		k := m.OpenID + "\x00" + m.Text
		if seen[k] {
			twice++
			t.Logf("a citizen got a message twice: %.60q", m.Text)
		}
		seen[k] = true
	}
	t.Logf("%d outbox rows (%v): %d WeCom app messages, %d group messages, %d Official Account messages; %d in doubt at the kill, %d arrived twice",
		len(rows), kinds, len(app), len(groups["cg"])+len(groups["zj"])+len(groups["joint"]), len(sent), inDoubt, twice)
	if twice > inDoubt {
		t.Errorf("%d messages arrived twice but only %d were in doubt at the kill", twice, inDoubt)
	}
}

func anyGroupHas(msgs []wecomtest.GroupMessage, caseNo string) bool {
	for _, m := range msgs {
		if strings.Contains(m.Text, caseNo) {
			return true
		}
	}
	return false
}

func anyCitizenGot(sent []mptest.SentMessage, openid, caseNo string) bool {
	for _, m := range sent {
		if m.OpenID == openid && strings.Contains(m.Text, caseNo) {
			return true
		}
	}
	return false
}
