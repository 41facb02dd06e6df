package app_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/app"
	"minsheng/config"
	"minsheng/models/modeltest"
)

// TestSandboxWeeklyOnDemand: the walk-through's last step posts
// /sandbox/api/weekly, and the joint-meeting group of the sandbox's WeCom
// shows the weekly summary at once, not on Monday.
func TestSandboxWeeklyOnDemand(t *testing.T) {
	cfg := config.Defaults()
	cfg.Location = modeltest.Shanghai
	cfg.Database.DSN = filepath.Join(t.TempDir(), "minsheng.db")
	cfg.Server.LinkSecret = "test-link-secret-0123456789abcdef"
	cfg.Org = config.Org{
		Departments:  []config.Department{{Code: "cg", Name: "县城市管理局", Keywords: []string{"路灯"}, WeComRobotKey: "sandbox-cg"}},
		JointMeeting: config.Group{Name: "网络问政联席会议", WeComRobotKey: "sandbox-joint"},
		Members:      []config.Member{{Name: "王问政", UserID: "dispatcher1", Role: "dispatcher"}},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	modeltest.Must(t, err, "listen")
	a, err := app.New(context.Background(), &cfg, app.WithListener(ln), app.WithLogger(quiet))
	modeltest.Must(t, err, "New")
	defer a.Close()
	if a.Sandbox == nil {
		t.Fatal("no platform credentials, yet no sandbox")
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { stop(); <-done }()

	res, err := http.Post("http://"+a.Addr()+"/sandbox/api/weekly", "application/json", nil)
	modeltest.Must(t, err, "POST /sandbox/api/weekly")
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST /sandbox/api/weekly = %d; want 200", res.StatusCode)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got []string
		for _, m := range a.Sandbox.WeCom.Fake.GroupMessages("sandbox-joint") {
			raw, _ := json.Marshal(m)
			got = append(got, string(raw))
		}
		if strings.Contains(strings.Join(got, "\n"), "网络问政周报") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the joint-meeting group has no weekly summary: %q", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
