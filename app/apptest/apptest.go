// Package apptest builds the whole server for end-to-end tests, as serve
// builds it (package app), from a test configuration: the test's platform
// credentials, an organisation, the fakes' base URLs and a clock.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"minsheng/app"
	"minsheng/config"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// The platform credentials of Config.
const (
	MPAppID     = "wx1234567890abcdef"
	MPSecret    = "appsecret"
	MPToken     = "callbacktoken"
	MPAESKey    = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	CorpID      = "ww0123456789abcdef"
	WeComSecret = "wecomsecret"
	WeComToken  = "wecomtoken"
	WeComAESKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	AgentID     = 1000002
)

// County is the organisation of the end-to-end tests: three units (cg
// leads on 路灯 and 井盖, zj on 物业 and 燃气, hb on 噪音), the dispatcher
// 王问政, cg's officers 李承办 and 钱承办 and head 赵局长, zj's officer 孙承办
// and head 周局长, and the leader 陈县长. Everyone is on WeCom; each unit's
// group robot is key-<code>, the joint meeting's key-joint.
func County() config.Org {
	return config.Org{
		Departments: []config.Department{
			{Code: "cg", Name: "县城市管理局", Keywords: []string{"路灯", "井盖"}, Platform: "wecom", WeComRobotKey: "key-cg"},
			{Code: "zj", Name: "县住房和城乡建设局", Keywords: []string{"物业", "燃气"}, Platform: "wecom", WeComRobotKey: "key-zj"},
			{Code: "hb", Name: "县生态环境分局", Keywords: []string{"噪音"}, Platform: "wecom", WeComRobotKey: "key-hb"},
		},
		JointMeeting: config.Group{Name: "联席会议", WeComRobotKey: "key-joint"},
		Members: []config.Member{
			{Name: "王问政", UserID: "dispatcher1", Platform: "wecom", Role: "dispatcher"},
			{Name: "李承办", UserID: "cg-officer1", Platform: "wecom", Department: "cg", Role: "officer"},
			{Name: "钱承办", UserID: "cg-officer2", Platform: "wecom", Department: "cg", Role: "officer"},
			{Name: "赵局长", UserID: "cg-head", Platform: "wecom", Department: "cg", Role: "head"},
			{Name: "孙承办", UserID: "zj-officer1", Platform: "wecom", Department: "zj", Role: "officer"},
			{Name: "周局长", UserID: "zj-head", Platform: "wecom", Department: "zj", Role: "head"},
			{Name: "陈县长", UserID: "leader1", Platform: "wecom", Role: "leader"},
		},
	}
}

// Small is County without hb and cg's second officer (钱承办): two units,
// six people. The jobs' desk and the crash test run on it.
func Small() config.Org {
	o := County()
	o.Departments = slices.DeleteFunc(o.Departments, func(d config.Department) bool { return d.Code == "hb" })
	o.Members = slices.DeleteFunc(o.Members, func(m config.Member) bool { return m.UserID == "cg-officer2" })
	return o
}

// Config is config.yaml's defaults with org, the Official Account's
// credentials above and, with wecom, the WeCom app's; no sandbox, a fixed
// link secret, the Shanghai time zone, and no review chain, rating clock or
// serious-case chase: a test that needs those sets them.
func Config(org config.Org, wecom bool) *config.Config {
	c := config.Defaults()
	c.Location = modeltest.Shanghai
	c.Server.Sandbox = "off"
	c.Server.LinkSecret = "test-link-secret-0123456789abcdef"
	c.MP.AppID, c.MP.AppSecret, c.MP.Token, c.MP.EncodingAESKey = MPAppID, MPSecret, MPToken, MPAESKey
	if wecom {
		c.WeCom.CorpID, c.WeCom.Secret, c.WeCom.Token, c.WeCom.EncodingAESKey, c.WeCom.AgentID = CorpID, WeComSecret, WeComToken, WeComAESKey, "1000002"
	}
	c.DingTalk.ReplyTimeout = config.Duration(2 * time.Second)
	c.Review, c.Rating, c.Serious = config.Review{}, config.Rating{}, config.Serious{}
	c.Org = org
	return &c
}

// New builds the server of cfg on s with clock, the platforms at bases, its
// deliverer and scheduler owned by owner, quiet. It is closed when the test
// ends.
func New(t testing.TB, s *models.Store, cfg *config.Config, clock *modeltest.Clock, bases app.Bases, owner string) *app.App {
	t.Helper()
	a, err := app.New(context.Background(), cfg, app.WithStore(s), app.WithClock(clock.Now), app.WithBases(bases),
		app.WithOwner(owner), app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	modeltest.Must(t, err, "app.New")
	t.Cleanup(func() { a.Close() })
	return a
}
