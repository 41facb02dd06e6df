package bench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"minsheng/bot"
	"minsheng/bot/mp"
	"minsheng/bot/wecom"
	"minsheng/config"
	"minsheng/handlers"
	"minsheng/models"
)

// office is a whole deployment in this process: the store, the bot with the
// settings and organisation of config.yaml, the real router behind an HTTP
// server on 127.0.0.1, and drivers that play WeChat and WeCom toward it.
// Nothing is delivered: the outbox fills, as it would while the platforms
// are slow.
type office struct {
	store  *models.Store
	bot    *bot.Bot
	srv    *http.Server
	url    string
	mp     *mp.Driver
	wecom  *wecom.Driver
	run    string // a random prefix that keeps this run's openids and message ids apart
	errc   chan error
	closed bool
}

// newOffice syncs the organisation of cfg into store and starts the server.
func newOffice(ctx context.Context, store *models.Store, cfg *config.Config, log *slog.Logger) (*office, error) {
	if err := syncOrg(ctx, cfg, store); err != nil {
		return nil, err
	}
	settings, err := botSettings(cfg)
	if err != nil {
		return nil, err
	}
	cal, err := calendarOf(cfg)
	if err != nil {
		return nil, err
	}
	b := &bot.Bot{Store: store, Calendar: cal, Logger: log, Settings: settings}

	appID, token := "wxbench000000001", "benchtoken"
	corpID, wcToken, agentID := "wwbench000000001", "benchwecomtoken", int64(1000002)
	mpKey, wcKey := randomAESKey(), randomAESKey()
	router := handlers.New(handlers.Deps{
		Store: store, Bot: b, Metrics: handlers.NewMetrics(store), Logger: log,
		MP: handlers.MPConfig{AppID: appID, AppSecret: "benchsecret", Token: token, EncodingAESKey: mpKey,
			Window: cfg.Server.CallbackWindow.D(), MaxBody: cfg.Server.MaxBodyBytes},
		WeCom: handlers.WeComConfig{CorpID: corpID, Token: wcToken, EncodingAESKey: wcKey,
			Window: cfg.Server.CallbackWindow.D(), MaxBody: cfg.Server.MaxBodyBytes},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: listen: %w", err)
	}
	o := &office{
		store: store, bot: b, url: "http://" + ln.Addr().String(), errc: make(chan error, 1),
		srv: &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second},
	}
	go func() { o.errc <- o.srv.Serve(ln) }()
	// One keep-alive connection per client, as WeChat's servers keep theirs.
	httpc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute,
	}}
	o.mp = &mp.Driver{URL: o.url + "/callback/mp", AppID: appID, Token: token, EncodingAESKey: mpKey, Safe: true, HTTP: httpc}
	o.wecom = &wecom.Driver{URL: o.url + "/callback/wecom", CorpID: corpID, AgentID: fmt.Sprint(agentID),
		Token: wcToken, EncodingAESKey: wcKey, HTTP: httpc}
	var r [4]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails
	o.run = hex.EncodeToString(r[:])
	return o, nil
}

// close stops the server.
func (o *office) close() {
	if o.closed {
		return
	}
	o.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o.srv.Shutdown(ctx)
	if err := <-o.errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Default().Warn("bench server stopped", "err", err)
	}
}

func randomAESKey() string {
	var k [32]byte
	_, _ = rand.Read(k[:]) // crypto/rand.Read never fails
	return strings.TrimSuffix(base64.StdEncoding.EncodeToString(k[:]), "=")
}

// calendarOf is the working-day calendar with the years of cfg added.
func calendarOf(cfg *config.Config) (*models.Calendar, error) {
	var extra []models.CalendarYear
	for _, y := range cfg.Calendar.Years {
		extra = append(extra, models.CalendarYear{Year: y.Year, Notice: y.Notice, Holidays: y.Holidays, Workdays: y.Workdays})
	}
	cal, err := models.NewCalendar(extra)
	if err != nil {
		return nil, fmt.Errorf("bench: calendar.years: %w", err)
	}
	return cal, nil
}

// botSettings are the conversation's numbers from cfg, as the server takes them.
func botSettings(cfg *config.Config) (bot.Settings, error) {
	hours, err := models.ParseOfficeHours(cfg.Deadlines.OfficeHours)
	if err != nil {
		return bot.Settings{}, fmt.Errorf("bench: deadlines.office_hours: %w", err)
	}
	return bot.Settings{
		MaxCasesPerHour: cfg.Intake.MaxCasesPerHour, DuplicateWindow: cfg.Intake.DuplicateWindow.D(),
		MinLength: cfg.Intake.MinLength, MaxLength: cfg.Intake.MaxLength,
		Acknowledge: cfg.Deadlines.Acknowledge.D(), Simple: cfg.Deadlines.Simple.D(),
		GeneralWorkdays: cfg.Deadlines.GeneralWorkdays, ComplexWorkdays: cfg.Deadlines.ComplexWorkdays,
		DefaultKind: cfg.Deadlines.DefaultKind, OfficeHours: hours,
		ExtensionWorkdays: cfg.Deadlines.ExtensionWorkdays,
		ReportUpMajor:     cfg.Deadlines.ReportUpMajor.D(), ReportUpCritical: cfg.Deadlines.ReportUpCritical.D(),
		PublicURL: cfg.Server.PublicURL,
		Joint: bot.GroupAddress{
			RobotKey: cfg.Org.JointMeeting.WeComRobotKey, Webhook: cfg.Org.JointMeeting.DingTalkWebhook, Secret: cfg.Org.JointMeeting.DingTalkSecret,
		},
	}, nil
}

// syncOrg writes the departments and members of cfg, as the server does at start.
func syncOrg(ctx context.Context, cfg *config.Config, store *models.Store) error {
	var deps []models.Department
	for _, d := range cfg.Org.Departments {
		deps = append(deps, models.Department{
			Code: d.Code, Name: d.Name, Keywords: strings.Join(d.Keywords, ","), Platform: models.Platform(orDefault(d.Platform, string(models.PlatformWeCom))),
			WeComRobotKey: d.WeComRobotKey, DingTalkWebhook: d.DingTalkWebhook, DingTalkSecret: d.DingTalkSecret,
		})
	}
	var members []models.Member
	var memberDept []string
	for _, m := range cfg.Org.Members {
		members = append(members, models.Member{Name: m.Name, UserID: m.UserID, Platform: models.Platform(orDefault(m.Platform, string(models.PlatformWeCom))), Role: models.Role(m.Role)})
		memberDept = append(memberDept, m.Department)
	}
	if err := store.SyncOrg(ctx, deps, members, memberDept); err != nil {
		return fmt.Errorf("bench: org: %w", err)
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// dispatcherCount is how many dispatchers get a card for each new case.
func (o *office) dispatcherCount(ctx context.Context) (int, error) {
	var n int64
	err := o.store.DB().WithContext(ctx).Model(&models.Member{}).
		Where("role = ? AND active = ?", models.RoleDispatcher, true).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("bench: count dispatchers: %w", err)
	}
	return int(n), nil
}

// serverVersion is the database server's version string.
func (o *office) serverVersion(ctx context.Context) (string, error) {
	var v string
	err := o.store.DB().WithContext(ctx).Raw("SELECT VERSION()").Scan(&v).Error
	return v, err
}

// report is one citizen report of the bench: a distinct citizen, a text
// that names a unit's keyword, so the dispatcher's card offers a one-tap
// assignment as on a real morning.
func (o *office) report(prefix string, i int) mp.Message {
	places := []string{"解放路", "人民路", "幸福小区", "建设街", "城南菜市场", "滨河公园", "火车站广场", "实验小学"}
	problems := []string{
		"的路灯不亮了", "有井盖丢失很危险", "垃圾好几天没人清运", "物业不管楼道堵塞",
		"夜里施工噪音扰民", "排污口有异味", "燃气管道有异味", "占道经营严重堵路",
	}
	text := fmt.Sprintf("%s%d号附近%s，已经%d天了，请尽快处理。", places[i%len(places)], i%97+1, problems[(i/len(places))%len(problems)], i%9+2)
	return mp.Message{
		FromUser: fmt.Sprintf("o%s%s%07d", o.run, prefix, i), ToUser: "gh_bench",
		MsgType: "text", Content: text,
	}
}
