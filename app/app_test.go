package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/app"
	"minsheng/bot/mp"
	"minsheng/bot/mp/mptest"
	"minsheng/bot/wecom/wecomtest"
	"minsheng/config"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestShippedConfigListsTheJobTable: config.yaml documents every job of
// the table with its default schedule, on, and no other.
func TestShippedConfigListsTheJobTable(t *testing.T) {
	cfg, err := app.LoadConfig("../config.yaml")
	if err != nil {
		t.Fatalf("LoadConfig(config.yaml) = %v", err)
	}
	for _, n := range jobs.Table {
		j, ok := cfg.Jobs[n.Name]
		if !ok || j.Schedule != n.Schedule || j.Enabled == nil || !*j.Enabled {
			t.Errorf("config.yaml jobs.%s = %+v; want schedule %q, enabled", n.Name, j, n.Schedule)
		}
	}
	if len(cfg.Jobs) != len(jobs.Table) {
		t.Errorf("config.yaml lists %d jobs; the table has %d", len(cfg.Jobs), len(jobs.Table))
	}
}

func TestLoadConfigRefusesAJobNotInTheTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	modeltest.Must(t, os.WriteFile(path, []byte("jobs:\n  remindr: {schedule: '0 9 * * *'}\n"), 0o600), "write config")
	_, err := app.LoadConfig(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "jobs.remindr: no such job") {
		t.Errorf("LoadConfig = %v; want the file and jobs.remindr named", err)
	}
}

// TestOfflineBuildsTheJobsOnly: run-job, jobs and report get the bot and
// the table with config's schedules, and nothing to serve.
func TestOfflineBuildsTheJobsOnly(t *testing.T) {
	cfg := config.Defaults()
	cfg.Location = modeltest.Shanghai
	off := false
	cfg.Jobs = map[string]config.Job{"calendar": {Schedule: "30 8 * * *"}, "rating": {Enabled: &off}}
	a, err := app.New(context.Background(), &cfg, app.Offline(), app.WithStore(modeltest.Open(t, "sqlite")), app.WithLogger(quiet))
	modeltest.Must(t, err, "New")
	defer a.Close()
	if a.Handler != nil || a.Deliverer != nil || a.Bot == nil || a.Work.Monthly == nil {
		t.Errorf("Offline built handler %v, deliverer %v, bot %v; want the bot and the jobs only", a.Handler != nil, a.Deliverer != nil, a.Bot != nil)
	}
	if err := a.Run(context.Background()); err == nil {
		t.Errorf("Run of an Offline app = nil; want an error")
	}
	got := map[string]jobs.Job{}
	for _, j := range a.Scheduler.Jobs {
		got[j.Name] = j
	}
	if len(got) != len(jobs.Table) {
		t.Errorf("scheduler has %d jobs; want the table's %d", len(got), len(jobs.Table))
	}
	if j := got["calendar"]; j.Schedule != "30 8 * * *" || j.Disabled {
		t.Errorf("calendar = %q, disabled %v; want config's 30 8 * * *, on", j.Schedule, j.Disabled)
	}
	if j := got["rating"]; j.Schedule != "0 10 * * *" || !j.Disabled {
		t.Errorf("rating = %q, disabled %v; want the default 0 10 * * *, off", j.Schedule, j.Disabled)
	}
}

// TestRunServesAndDelivers is the server as serve runs it, on its own
// SQLite file and a listener, the platforms faked: a citizen's report is
// answered with a case number, the dispatcher's card reaches WeCom without
// anyone running the deliverer by hand, and Run ends cleanly with its
// context; Close closes the database New opened.
func TestRunServesAndDelivers(t *testing.T) {
	const (
		appID, mpSecret, mpToken = "wxapptest0000001", "mp-secret", "mptoken"
		mpKey                    = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
		corpID, wcSecret         = "wwapptest0000001", "wecom-secret"
		wcToken, wcKey           = "wecomtoken", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	)
	clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 10, 0)) // a Monday
	wc := wecomtest.NewFakeServer(corpID, wcSecret, 1000002)
	wc.Now = clock.Now
	wc.AddUsers("dispatcher1")
	wc.AddWebhook("key-cg")
	wcSrv := httptest.NewServer(wc)
	defer wcSrv.Close()
	mpAPI := mptest.NewFakeAPI(appID, mpSecret)
	mpAPI.Now = clock.Now
	mpSrv := httptest.NewServer(mpAPI)
	defer mpSrv.Close()

	cfg := config.Defaults()
	cfg.Location = modeltest.Shanghai
	cfg.Database.DSN = filepath.Join(t.TempDir(), "db", "minsheng.db")
	cfg.Server.Sandbox, cfg.Server.LinkSecret = "off", "test-link-secret-0123456789abcdef"
	cfg.MP.AppID, cfg.MP.AppSecret, cfg.MP.Token, cfg.MP.EncodingAESKey = appID, mpSecret, mpToken, mpKey
	cfg.WeCom.CorpID, cfg.WeCom.Secret, cfg.WeCom.Token, cfg.WeCom.EncodingAESKey, cfg.WeCom.AgentID = corpID, wcSecret, wcToken, wcKey, "1000002"
	cfg.Org = config.Org{
		Departments: []config.Department{{Code: "cg", Name: "县城市管理局", Keywords: []string{"路灯"}, WeComRobotKey: "key-cg"}},
		Members:     []config.Member{{Name: "王问政", UserID: "dispatcher1", Role: "dispatcher"}},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	modeltest.Must(t, err, "listen")
	a, err := app.New(context.Background(), &cfg, app.WithListener(ln), app.WithClock(clock.Now), app.WithLogger(quiet),
		app.WithBases(app.Bases{MP: mpSrv.URL, WeCom: wcSrv.URL}))
	modeltest.Must(t, err, "New")
	if cfg.MP.APIBase == mpSrv.URL {
		t.Errorf("New changed the caller's config")
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	d := &mp.Driver{URL: "http://" + a.Addr() + "/callback/mp", AppID: appID, Token: mpToken, EncodingAESKey: mpKey, Safe: true, Now: clock.Now}
	r, err := d.Send(context.Background(), mp.Message{FromUser: "oCitizen", ToUser: "gh_account", MsgType: "text", Content: "解放路的路灯不亮了，晚上很黑"})
	modeltest.Must(t, err, "send")
	if r.Status != http.StatusOK || !strings.Contains(r.Content, "编号：20261123001") {
		t.Errorf("reply = %d %q; want the case number 20261123001", r.Status, r.Content)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var card bool
		for _, m := range wc.AppMessages() {
			raw, _ := json.Marshal(m.Raw)
			card = card || (m.ToUser == "dispatcher1" && strings.Contains(string(raw), "20261123001"))
		}
		if card {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no card for 20261123001 reached the dispatcher in WeCom: %+v", wc.AppMessages())
		}
		time.Sleep(20 * time.Millisecond)
	}

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v; want nil after its context ended", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if _, err := http.Get("http://" + a.Addr() + "/healthz"); err == nil {
		t.Errorf("the server still answers after Run returned")
	}
	modeltest.Must(t, a.Close(), "Close")
	if err := a.Store.Ping(context.Background()); err == nil {
		t.Errorf("the database is still open after Close")
	}
}

// The configuration sizes the store's pool (database.max_open_conns); 0
// leaves the driver's default.
func TestOpenStoreTakesThePoolFromConfig(t *testing.T) {
	for _, tt := range []struct{ open, want int }{{7, 7}, {0, models.DefaultPool("mysql")}} {
		driver, dsn := modeltest.DSN(t, "mysql")
		cfg := config.Defaults()
		cfg.Database = config.Database{Driver: driver, DSN: dsn, MaxOpenConns: tt.open}
		s, err := app.OpenStore(&cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Pool(); got != tt.want {
			t.Errorf("max_open_conns %d: pool %d; want %d", tt.open, got, tt.want)
		}
		s.Close()
	}
}
