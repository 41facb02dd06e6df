package app

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"minsheng/bot"
	"minsheng/config"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// TestBotTakesConfig: review.*, serious.*, rating.*, the leaders' scopes,
// the joint meeting and the link secret reach the bot as config says.
func TestBotTakesConfig(t *testing.T) {
	cfg := config.Defaults()
	cfg.Location = modeltest.Shanghai
	cfg.Server.LinkSecret = "link-secret-0123456789abcdef0123"
	cfg.Review.SensitiveWords = []string{"刁民"}
	cfg.Serious.CriticalKeywords = []string{"爆炸"}
	cfg.Rating.AppealDeciders = []string{"dispatcher", "leader"}
	cfg.Deadlines.ReportUpLarge = config.Duration(4 * time.Hour)
	cfg.Feedback.Recipients = []config.Recipient{{Name: "县信访局", DingTalkWebhook: "https://oapi.dingtalk.com/robot/send?access_token=xf", DingTalkSecret: "SECxf"}}
	cfg.Serious.ReportUp = []config.Recipient{{Name: "县网信办", WeComRobotKey: "key-up"}, {Name: "党组", Members: []string{"leader1", "leader2"}}}
	cfg.Org = config.Org{
		Departments: []config.Department{
			{Code: "cg", Name: "县城市管理局", Review: []string{"head", "leader"}},
			{Code: "zj", Name: "县住房和城乡建设局"},
		},
		JointMeeting: config.Group{Name: "联席会议", DingTalkWebhook: "https://oapi.dingtalk.com/robot/send?access_token=x", DingTalkSecret: "SEC"},
		Members: []config.Member{
			{Name: "陈县长", UserID: "leader1", Role: "leader", Scope: []string{"cg"}},
			{Name: "林副县长", UserID: "leader2", Platform: "dingtalk", Role: "leader", Scope: []string{"zj", "hb"}},
			{Name: "王局长", UserID: "leader3", Role: "leader"},
		},
	}
	b, err := newBot(&cfg, modeltest.Open(t, "sqlite"), slog.Default(), slog.New(slog.DiscardHandler))
	modeltest.Must(t, err, "newBot")
	st := b.Settings
	if want := []models.Role{models.RoleHead}; !reflect.DeepEqual(st.Review.Default, want) {
		t.Errorf("Review.Default = %v; want %v", st.Review.Default, want)
	}
	if want := map[string][]models.Role{"cg": {models.RoleHead, models.RoleLeader}}; !reflect.DeepEqual(st.Review.Units, want) {
		t.Errorf("Review.Units = %v; want %v", st.Review.Units, want)
	}
	if st.Review.MinAnswerRunes != 15 || st.Review.MinConcreteRunes != 8 || !reflect.DeepEqual(st.Review.Sensitive, []string{"刁民"}) {
		t.Errorf("Review = %+v; want 15, 8 and the sensitive words", st.Review)
	}
	wantScopes := map[string][]string{bot.ScopeKey("wecom", "leader1"): {"cg"}, bot.ScopeKey("dingtalk", "leader2"): {"zj", "hb"}}
	if !reflect.DeepEqual(st.Leaders.Scopes, wantScopes) {
		t.Errorf("Leaders.Scopes = %v; want %v (a leader without a scope sees every unit)", st.Leaders.Scopes, wantScopes)
	}
	if st.Leaders.ChaseEvery != 15*time.Minute || !reflect.DeepEqual(st.Leaders.CriticalWords, []string{"爆炸"}) {
		t.Errorf("Leaders = %+v; want a chase every 15m and the critical words", st.Leaders)
	}
	wantUp := []bot.Recipient{{Name: "县网信办", Group: bot.GroupAddress{RobotKey: "key-up"}},
		{Name: "党组", Members: []bot.MemberRef{{Platform: "wecom", UserID: "leader1"}, {Platform: "dingtalk", UserID: "leader2"}}}}
	wantFeedback := []bot.Recipient{{Name: "县信访局", Group: bot.GroupAddress{Webhook: "https://oapi.dingtalk.com/robot/send?access_token=xf", Secret: "SECxf"}}}
	if !reflect.DeepEqual(st.Feedback, wantFeedback) {
		t.Errorf("Feedback = %+v; want %+v", st.Feedback, wantFeedback)
	}
	if !reflect.DeepEqual(st.Leaders.ReportUp, wantUp) || st.ReportUpLarge != 4*time.Hour {
		t.Errorf("report-up = %+v, 较大 %v; want %+v and 4h", st.Leaders.ReportUp, st.ReportUpLarge, wantUp)
	}
	if want := []models.Role{models.RoleDispatcher, models.RoleLeader}; !reflect.DeepEqual(st.Rating.AppealDeciders, want) || st.Rating.ReopenWorkdays != cfg.Rating.ReopenWorkdays {
		t.Errorf("Rating = %+v; want the appeal deciders %v", st.Rating, want)
	}
	if st.Joint.Webhook != cfg.Org.JointMeeting.DingTalkWebhook || st.Joint.Secret != "SEC" || st.Joint.RobotKey != "" {
		t.Errorf("Joint = %+v; want the joint meeting's DingTalk group", st.Joint)
	}
	if JointPlatform(&cfg) != models.PlatformDingTalk {
		t.Errorf("JointPlatform = %s; want dingtalk (no robot key, a webhook)", JointPlatform(&cfg))
	}
	if string(st.Links.Secret) != cfg.Server.LinkSecret || st.Links.TTL != 72*time.Hour {
		t.Errorf("Links = %q, %v; want server.link_secret, 72h", st.Links.Secret, st.Links.TTL)
	}
	if st.MaxCasesPerHour != 5 || st.GeneralWorkdays != 7 || st.OfficeHours == (models.OfficeHours{}) {
		t.Errorf("Settings = %+v; want config's intake and deadline numbers", st)
	}
}

// TestLinkSecretDrawnLoudly: without server.link_secret the links are
// signed with a random secret, and the operator is told.
func TestLinkSecretDrawnLoudly(t *testing.T) {
	cfg := config.Defaults()
	var log strings.Builder
	_, _, links := leaderSettings(&cfg, slog.New(slog.NewTextHandler(&log, nil)))
	if len(links.Secret) != 32 || !strings.Contains(log.String(), "server.link_secret is not set") {
		t.Errorf("links secret of %d bytes, log %q; want 32 random bytes and a warning", len(links.Secret), log.String())
	}
}

func TestCalendarNamesTheKey(t *testing.T) {
	cfg := config.Defaults()
	cfg.Calendar.Years = []config.CalendarYear{{Year: 2027, Notice: "国办发明电〔2026〕1号", Holidays: []string{"13-45"}}}
	if _, err := Calendar(&cfg); err == nil || !strings.Contains(err.Error(), "calendar.years") {
		t.Errorf("Calendar(bad holiday) = %v; want an error naming calendar.years", err)
	}
	_, err := New(context.Background(), &cfg, Offline(), WithStore(modeltest.Open(t, "sqlite")), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err == nil || !strings.Contains(err.Error(), "calendar.years") {
		t.Errorf("New(bad calendar) = %v; want the calendar's error", err)
	}
}
