package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"minsheng/app"
	"minsheng/config"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// The end-to-end tests build the whole server with package app, as serve
// does, from a configuration: the test's platform credentials, its county
// (org.*) and the fakes' base URLs. Only the numbers the tests were written
// against differ from config.yaml's defaults (testConfig).

// county is the organisation of the end-to-end tests: three units (cg leads
// on 路灯 and 井盖, zj on 物业 and 燃气, hb on 噪音), the dispatcher 王问政,
// cg's officers 李承办 and 钱承办 and head 赵局长, zj's officer 孙承办 and
// head 周局长, and the leader 陈县长. Everyone is on WeCom, each unit's
// group robot is key-<code> and the joint meeting's key-joint.
func county() config.Org {
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

// testConfig is config.yaml's defaults with the test platforms' credentials
// (the Official Account's and, with wecom, the WeCom app's), org, no
// sandbox, and no review chain, rating clock or serious-case chase: the
// tests that need those set them on the bot.
func testConfig(org config.Org, wecom bool) *config.Config {
	c := config.Defaults()
	c.Location = modeltest.Shanghai
	c.Server.Sandbox = "off"
	c.Server.LinkSecret = "test-link-secret-0123456789abcdef"
	c.MP.AppID, c.MP.AppSecret, c.MP.Token, c.MP.EncodingAESKey = appID, secret, token, aesKey
	if wecom {
		c.WeCom.CorpID, c.WeCom.Secret, c.WeCom.Token, c.WeCom.EncodingAESKey, c.WeCom.AgentID = corpID, wcSecret, wcToken, wcAESKey, "1000002"
	}
	c.DingTalk.ReplyTimeout = config.Duration(2 * time.Second)
	c.Review, c.Rating, c.Serious = config.Review{}, config.Rating{}, config.Serious{}
	c.Org = org
	return &c
}

// buildApp builds the server of cfg on s with clock and the platforms at
// bases, quiet, its deliverer named test.
func buildApp(t *testing.T, s *models.Store, cfg *config.Config, clock *modeltest.Clock, bases app.Bases) *app.App {
	t.Helper()
	a, err := app.New(context.Background(), cfg, app.WithStore(s), app.WithClock(clock.Now), app.WithBases(bases),
		app.WithOwner("test"), app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	modeltest.Must(t, err, "app.New")
	t.Cleanup(func() { a.Close() })
	return a
}
