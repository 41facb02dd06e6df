// Command minsheng is the 民声 bot server: citizens report through the WeChat
// Official Account, departments handle cases in WeCom or DingTalk.
//
//	minsheng [serve]   start the server (the default)
//	minsheng migrate   bring the database schema up to date and exit
//	minsheng bench     measure this machine against MariaDB (see bench_cmd.go)
//	minsheng run-job <name>  run one background job once, now (main_jobs.go)
//	minsheng jobs      list the background jobs, their schedules and last runs
//	minsheng report [--month 2026-11] [-o file.xlsx]  a month's 月报 on demand (main_report.go)
//	minsheng hash-password  read a password, print its bcrypt hash for admin.users (main_board.go)
//
// The configuration is config.yaml, or the file MINSHENG_CONFIG names.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"minsheng/bot"
	"minsheng/bot/dingtalk"
	"minsheng/bot/mp"
	"minsheng/bot/wecom"
	"minsheng/config"
	"minsheng/handlers"
	"minsheng/jobs"
	"minsheng/models"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(log)
	fs := flag.NewFlagSet("minsheng", flag.ExitOnError)
	cfgPath := fs.String("config", "config.yaml", "configuration file (MINSHENG_CONFIG overrides)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: minsheng [-config config.yaml] [serve|migrate|bench [-quick] [-load] [-h]|run-job <name>|jobs|report [--month YYYY-MM] [-o file.xlsx]|hash-password]")
		fs.PrintDefaults()
	}
	fs.Parse(os.Args[1:])
	cmd := "serve"
	if fs.NArg() > 0 {
		cmd = fs.Arg(0)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, *cfgPath, log)
	case "migrate":
		err = migrate(ctx, *cfgPath, log)
	case "bench":
		err = benchCmd(ctx, *cfgPath, fs.Args()[1:])
	case "run-job":
		err = runJob(ctx, *cfgPath, fs.Args()[1:], log)
	case "jobs":
		err = listJobs(ctx, *cfgPath, os.Stdout)
	case "report":
		err = reportCmd(ctx, *cfgPath, fs.Args()[1:], os.Stdout, log)
	case "hash-password":
		err = hashPassword(os.Stdin, os.Stdout)
	default:
		fs.Usage()
		os.Exit(2)
	}
	if err != nil {
		log.Error("minsheng stopped", "cmd", cmd, "err", err)
		os.Exit(1)
	}
}

// openStore loads config and opens the database, creating the directory of
// an embedded SQLite file.
func openStore(path string) (*config.Config, *models.Store, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Database.Driver == "sqlite" {
		if dir := filepath.Dir(cfg.Database.DSN); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, nil, fmt.Errorf("database.dsn: create %s: %w", dir, err)
			}
		}
	}
	store, err := models.Open(cfg.Database.Driver, cfg.Database.DSN, cfg.Location)
	if err != nil {
		return nil, nil, err
	}
	return cfg, store, nil
}

func migrate(ctx context.Context, path string, log *slog.Logger) error {
	_, store, err := openStore(path)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	ids, err := store.MigrationIDs(ctx)
	if err != nil {
		return err
	}
	log.Info("schema up to date", "driver", store.Driver(), "migrations", len(ids), "latest", ids[len(ids)-1])
	return nil
}

func serve(ctx context.Context, path string, log *slog.Logger) error {
	cfg, store, err := openStore(path)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	if err := syncOrg(ctx, cfg, store); err != nil {
		return err
	}
	b, err := newBot(cfg, store, log)
	if err != nil {
		return err
	}

	mpCfg := handlers.MPConfig{
		AppID: cfg.MP.AppID, AppSecret: cfg.MP.AppSecret, Token: cfg.MP.Token, EncodingAESKey: cfg.MP.EncodingAESKey,
		Window: cfg.Server.CallbackWindow.D(), MaxBody: cfg.Server.MaxBodyBytes, AllowPlaintext: cfg.MP.AllowPlaintext,
	}
	wcCfg := handlers.WeComConfig{
		CorpID: cfg.WeCom.CorpID, Token: cfg.WeCom.Token, EncodingAESKey: cfg.WeCom.EncodingAESKey,
		Window: cfg.Server.CallbackWindow.D(), MaxBody: cfg.Server.MaxBodyBytes,
	}
	wcSecret, wcAgent := cfg.WeCom.Secret, cfg.WeCom.AgentIDNumber()
	var sandbox *handlers.Sandbox
	var sandboxDingTalk *handlers.SandboxDingTalk
	if cfg.SandboxOn() {
		self := "http://" + cfg.Server.Addr
		if mpCfg.AppID == "" {
			mpCfg.AppID, mpCfg.AppSecret, mpCfg.Token, mpCfg.EncodingAESKey = handlers.SandboxCredentials()
		}
		sandbox = handlers.NewSandbox(mpCfg.AppID, mpCfg.AppSecret, mpCfg.Token, mpCfg.EncodingAESKey, nil)
		cfg.MP.APIBase = self + handlers.SandboxMPAPIPath
		if wcCfg.CorpID == "" {
			wcCfg.CorpID, wcSecret, wcCfg.Token, wcCfg.EncodingAESKey, wcAgent = handlers.SandboxWeComCredentials()
		}
		sandbox.WeCom = handlers.NewSandboxWeCom(wcCfg.CorpID, wcSecret, wcCfg.Token, wcCfg.EncodingAESKey, wcAgent, nil)
		cfg.WeCom.APIBase = self + handlers.SandboxWeComAPIPath
		for _, m := range cfg.Org.Members {
			sandbox.WeCom.Fake.AddUsers(m.UserID)
		}
		for _, d := range cfg.Org.Departments {
			if d.WeComRobotKey != "" {
				sandbox.WeCom.Fake.AddWebhook(d.WeComRobotKey)
				sandbox.WeCom.Groups[d.Name] = d.WeComRobotKey
			}
		}
		if k := cfg.Org.JointMeeting.WeComRobotKey; k != "" {
			sandbox.WeCom.Fake.AddWebhook(k)
			sandbox.WeCom.Groups[cfg.Org.JointMeeting.Name] = k
		}
		log.Warn("sandbox mode: no platform credentials configured; the Official Account and WeCom are simulated in process",
			"page", self+"/sandbox")
		if !cfg.DingTalk.Configured() {
			dt := &cfg.DingTalk
			dt.AppKey, dt.AppSecret, dt.RobotCode = handlers.SandboxDingTalkCredentials()
			dt.Mode = "http"
			sandboxDingTalk = handlers.NewSandboxDingTalk(dt.AppKey, dt.AppSecret, dt.RobotCode, self, nil)
			dt.APIBase, dt.OAPIBase = sandboxDingTalk.APIBase(), sandboxDingTalk.APIBase()
			if err := sandboxDingTalk.Prepare(ctx, store); err != nil {
				return err
			}
			log.Warn("sandbox mode: DingTalk is simulated in process too", "api", dt.APIBase)
		}
	}
	b.Settings.Joint = bot.GroupAddress{
		RobotKey: cfg.Org.JointMeeting.WeComRobotKey, Webhook: cfg.Org.JointMeeting.DingTalkWebhook, Secret: cfg.Org.JointMeeting.DingTalkSecret,
	}
	b.Settings.Review, b.Settings.Leaders, b.Settings.Links = leaderSettings(cfg, log) // main_leaders.go

	httpc := &http.Client{Timeout: 10 * time.Second}
	router := &jobs.Router{Bot: b, Platforms: []bot.Platform{
		&mp.Platform{Client: &mp.Client{BaseURL: cfg.MP.APIBase, AppID: mpCfg.AppID, AppSecret: mpCfg.AppSecret, HTTP: httpc}, TemplateID: cfg.MP.TemplateID},
		&wecom.Platform{Client: &wecom.Client{BaseURL: cfg.WeCom.APIBase, CorpID: wcCfg.CorpID, Secret: wcSecret, AgentID: wcAgent, HTTP: httpc}},
	}}
	dtCfg := handlers.DingTalkConfig{
		AppSecret: cfg.DingTalk.AppSecret, Stream: cfg.DingTalk.Mode == "stream", MaxSkew: cfg.DingTalk.CallbackSkew.D(),
		MaxBody: cfg.Server.MaxBodyBytes, ReplyTimeout: cfg.DingTalk.ReplyTimeout.D(),
	}
	if cfg.DingTalk.Configured() {
		dtCfg.Client = &dingtalk.Client{
			APIBase: cfg.DingTalk.APIBase, OAPIBase: cfg.DingTalk.OAPIBase, AppKey: cfg.DingTalk.AppKey,
			AppSecret: cfg.DingTalk.AppSecret, RobotCode: cfg.DingTalk.RobotCode, HTTP: httpc,
		}
		router.Platforms = append(router.Platforms, &dingtalk.Platform{Client: dtCfg.Client})
	}
	host, _ := os.Hostname()
	deliverer := &jobs.Deliverer{
		Store: store, Senders: router.Senders(), OnFailed: router.OnFailed, Combine: router.Combine, Logger: log,
		Owner: fmt.Sprintf("%s-%d", host, os.Getpid()),
	}
	b.Queued = deliverer.Notify
	sched, err := scheduler(cfg, store, b, deliverer.Owner, log) // main_jobs.go
	if err != nil {
		return err
	}

	metrics := handlers.NewMetrics(store)
	handler := handlers.New(handlers.Deps{
		Store: store, Bot: b, MP: mpCfg, WeCom: wcCfg, Metrics: metrics, Logger: log, Sandbox: sandbox,
		DingTalk: dtCfg, SandboxDingTalk: sandboxDingTalk,
		H5: h5Config(cfg, b.Settings.Links, wcCfg.CorpID, wcSecret, wcAgent, sandbox != nil, httpc),

		// The public reply board, the open data and the dashboard (main_board.go).
		Public: publicConfig(cfg), Admin: adminConfig(cfg, wcCfg.CorpID, wcSecret, wcAgent, sandbox != nil, httpc, log),
	})
	srv := &http.Server{Addr: cfg.Server.Addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("minsheng serving", "addr", cfg.Server.Addr, "database", cfg.Database.Driver, "sandbox", sandbox != nil)

	// Background work: every goroutine has an owner (this function) and an
	// exit (ctx), and shutdown waits for it.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		deliverer.Run(workCtx, 5*time.Second)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := sched.Run(workCtx); err != nil {
			log.Error("job scheduler stopped", "err", err)
		}
	}()
	if cfg.DingTalk.Configured() && dtCfg.Stream {
		stream := handlers.NewDingTalkStream(handlers.Deps{Bot: b, DingTalk: dtCfg, Metrics: metrics, Logger: log})
		stream.AppKey, stream.APIBase, stream.Retry = cfg.DingTalk.AppKey, cfg.DingTalk.APIBase, cfg.DingTalk.StreamRetry.D()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := stream.Run(workCtx); err != nil {
				log.Error("dingtalk stream stopped", "platform", "dingtalk", "err", err)
			}
		}()
	}

	select {
	case err := <-errc:
		stopWork()
		wg.Wait()
		return fmt.Errorf("server.addr %s: %w", cfg.Server.Addr, err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests and deliveries", "timeout", cfg.Server.ShutdownTimeout.D())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.Server.ShutdownTimeout.D())
	defer cancel()
	err = srv.Shutdown(sctx)
	stopWork()
	wg.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped cleanly")
	return nil
}

// newBot builds the bot from config: the calendar, the office hours and
// the numbers of the conversation. serve adds the platforms' parts.
func newBot(cfg *config.Config, store *models.Store, log *slog.Logger) (*bot.Bot, error) {
	cal, err := calendar(cfg)
	if err != nil {
		return nil, err
	}
	hours, err := models.ParseOfficeHours(cfg.Deadlines.OfficeHours)
	if err != nil {
		return nil, fmt.Errorf("deadlines.office_hours: %w", err)
	}
	b := &bot.Bot{Store: store, Calendar: cal, Logger: log, Settings: bot.Settings{
		MaxCasesPerHour: cfg.Intake.MaxCasesPerHour, DuplicateWindow: cfg.Intake.DuplicateWindow.D(),
		MinLength: cfg.Intake.MinLength, MaxLength: cfg.Intake.MaxLength,
		Acknowledge: cfg.Deadlines.Acknowledge.D(), Simple: cfg.Deadlines.Simple.D(),
		GeneralWorkdays: cfg.Deadlines.GeneralWorkdays, ComplexWorkdays: cfg.Deadlines.ComplexWorkdays,
		DefaultKind: cfg.Deadlines.DefaultKind, OfficeHours: hours,
		ExtensionWorkdays: cfg.Deadlines.ExtensionWorkdays,
		ReportUpMajor:     cfg.Deadlines.ReportUpMajor.D(), ReportUpCritical: cfg.Deadlines.ReportUpCritical.D(),
		ReportUpLarge: cfg.Deadlines.ReportUpLarge.D(),
		PublicURL:     cfg.Server.PublicURL,
	}}
	b.Settings.Rating = ratingSettings(cfg) // main_rating.go
	return b, nil
}

func syncOrg(ctx context.Context, cfg *config.Config, store *models.Store) error {
	var deps []models.Department
	for _, d := range cfg.Org.Departments {
		platform := d.Platform
		if platform == "" {
			platform = "wecom"
		}
		deps = append(deps, models.Department{
			Code: d.Code, Name: d.Name, Keywords: strings.Join(d.Keywords, ","), Platform: platform,
			WeComRobotKey: d.WeComRobotKey, DingTalkWebhook: d.DingTalkWebhook, DingTalkSecret: d.DingTalkSecret,
		})
	}
	var members []models.Member
	var memberDept []string
	for _, m := range cfg.Org.Members {
		platform := m.Platform
		if platform == "" {
			platform = "wecom"
		}
		members = append(members, models.Member{Name: m.Name, UserID: m.UserID, Platform: platform, Role: models.Role(m.Role)})
		memberDept = append(memberDept, m.Department)
	}
	if err := store.SyncOrg(ctx, deps, members, memberDept); err != nil {
		return fmt.Errorf("org: %w", err)
	}
	return nil
}

func calendar(cfg *config.Config) (*models.Calendar, error) {
	var extra []models.CalendarYear
	for _, y := range cfg.Calendar.Years {
		extra = append(extra, models.CalendarYear{Year: y.Year, Notice: y.Notice, Holidays: y.Holidays, Workdays: y.Workdays})
	}
	cal, err := models.NewCalendar(extra)
	if err != nil {
		return nil, fmt.Errorf("calendar.years: %w", err)
	}
	return cal, nil
}
