// Package app wires 民声 together: config → store → platforms → bot →
// handlers → jobs. New builds a server, Run serves HTTP and runs the
// background work until its context ends, Close releases what New opened.
// Every translation of config into the settings of the other packages lives
// here. The commands (package cli), the bench and the end-to-end tests all
// build the server through New; Options let tests inject a clock, a
// listener and the platforms' base URLs (fakes).
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"minsheng/bot"
	"minsheng/bot/dingtalk"
	"minsheng/bot/mp"
	"minsheng/bot/sandbox"
	"minsheng/bot/wecom"
	"minsheng/config"
	"minsheng/handlers"
	"minsheng/jobs"
	"minsheng/models"
)

// App is one built server, or with Offline the bot and the jobs alone.
type App struct {
	// Config is the configuration as built: a copy of New's, with the
	// sandbox's credentials and the injected base URLs filled in.
	Config *config.Config
	Store  *models.Store
	Bot    *bot.Bot
	// Work is what the job table's bodies call; Scheduler is the table
	// bound to it.
	Work      *jobs.Work
	Scheduler *jobs.Scheduler
	// Handler is the router with every route; nil Offline.
	Handler http.Handler
	// Router holds the platforms the outbox is sent through; Deliverer
	// sends it. Both nil Offline.
	Router    *jobs.Router
	Deliverer *jobs.Deliverer
	// Sandbox and SandboxDingTalk are the in-process platform fakes of
	// sandbox mode; nil outside it.
	Sandbox         *sandbox.Server
	SandboxDingTalk *sandbox.DingTalk

	o        options
	log      *slog.Logger
	ownStore bool
	stream   *dingtalk.Stream
}

// Bases are the platforms' API base URLs; an empty one keeps config's.
type Bases struct {
	MP, WeCom, DingTalk, DingTalkOAPI string
}

type options struct {
	log      *slog.Logger
	store    *models.Store
	now      func() time.Time
	listener net.Listener
	bases    Bases
	offline  bool
	noWork   bool
	owner    string
}

// Option changes how New builds.
type Option func(*options)

// WithLogger logs through l instead of slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithStore uses s, open and migrated, instead of opening database.*; the
// caller closes it.
func WithStore(s *models.Store) Option { return func(o *options) { o.store = s } }

// WithClock makes now the clock of the store, the handlers, the sandbox,
// the platform clients (their signatures and token expiries), the deliverer
// and the scheduler.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithListener serves on ln instead of listening on server.addr; the
// sandbox's own URLs then point at it.
func WithListener(ln net.Listener) Option { return func(o *options) { o.listener = ln } }

// WithBases points the platform clients at b (fakes) over config's and the
// sandbox's base URLs.
func WithBases(b Bases) Option { return func(o *options) { o.bases = b } }

// WithOwner names this instance in job_runs and the outbox leases (default
// host-pid).
func WithOwner(owner string) Option { return func(o *options) { o.owner = owner } }

// Offline builds the bot and the jobs without the server: the organisation
// is not synchronised, no platform, sandbox or router is built, and what a
// job queues is left to the running server to deliver. For run-job, jobs
// and report.
func Offline() Option { return func(o *options) { o.offline = true } }

// WithoutWork makes Run serve HTTP only: no delivery, no schedule, no
// DingTalk stream. The outbox fills as it would while the platforms are slow
// (the bench).
func WithoutWork() Option { return func(o *options) { o.noWork = true } }

// New builds the server of cfg: the store (opened and migrated unless
// WithStore), the organisation synchronised, the bot, the platforms (or the
// sandbox's fakes), the router, the deliverer and the scheduler. cfg itself
// is not changed.
func New(ctx context.Context, cfg *config.Config, opts ...Option) (*App, error) {
	a := &App{}
	for _, opt := range opts {
		opt(&a.o)
	}
	c := *cfg
	a.Config = &c
	a.log = a.o.log
	if a.log == nil {
		a.log = slog.Default()
	}
	if err := a.build(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context) error {
	cfg, log := a.Config, a.log
	a.Store = a.o.store
	if a.Store == nil {
		s, err := OpenStore(cfg)
		if err != nil {
			return err
		}
		a.Store, a.ownStore = s, true
		if err := s.Migrate(ctx); err != nil {
			return err
		}
	}
	if a.o.now != nil {
		a.Store.Now = a.o.now
	}
	owner := a.o.owner
	if owner == "" {
		host, _ := os.Hostname()
		owner = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if a.o.offline {
		// Links are signed when a message is delivered, by the server: the
		// link secret does not matter here, nor its warning.
		b, err := newBot(cfg, a.Store, log, slog.New(slog.DiscardHandler))
		if err != nil {
			return err
		}
		a.Bot, a.Work = b, work(cfg, a.Store, b, log)
		a.Scheduler, err = scheduler(cfg, a.Store, a.Work, owner, log)
		if a.Scheduler != nil {
			a.Scheduler.Now = a.o.now
		}
		return err
	}

	if err := SyncOrg(ctx, cfg, a.Store); err != nil {
		return err
	}
	sandboxOn := cfg.SandboxOn()
	if sandboxOn {
		self := "http://" + cfg.Server.Addr
		if a.o.listener != nil {
			self = "http://" + a.o.listener.Addr().String()
		}
		var err error
		if a.Sandbox, a.SandboxDingTalk, err = startSandbox(ctx, cfg, a.Store, self, a.o.now, log); err != nil {
			return err
		}
	}
	a.o.bases.apply(cfg)
	b, err := newBot(cfg, a.Store, log, log)
	if err != nil {
		return err
	}
	a.Bot = b
	if err := a.startRouting(ctx); err != nil {
		return err
	}

	httpc := &http.Client{Timeout: 10 * time.Second}
	now := a.o.now
	wc := cfg.WeCom
	// The callbacks: each platform's package checks and reads its own; the
	// handlers serve them through these seams.
	citizen := &mp.Inbound{
		AppID: cfg.MP.AppID, AppSecret: cfg.MP.AppSecret, Token: cfg.MP.Token, EncodingAESKey: cfg.MP.EncodingAESKey,
		Window: cfg.Server.CallbackWindow.D(), MaxBody: cfg.Server.MaxBodyBytes, AllowPlaintext: cfg.MP.AllowPlaintext, Now: now,
	}
	var members []bot.Inbound
	if wc.CorpID != "" {
		members = append(members, &wecom.Inbound{
			CorpID: wc.CorpID, Token: wc.Token, EncodingAESKey: wc.EncodingAESKey,
			Window: cfg.Server.CallbackWindow.D(), MaxBody: cfg.Server.MaxBodyBytes, Now: now,
		})
	}
	router := &jobs.Router{Bot: b, Platforms: []bot.Platform{
		&mp.Platform{Client: &mp.Client{BaseURL: cfg.MP.APIBase, AppID: cfg.MP.AppID, AppSecret: cfg.MP.AppSecret, HTTP: httpc, Now: now}, Templates: mpTemplates(cfg.MP.Templates)},
		&wecom.Platform{Client: &wecom.Client{BaseURL: wc.APIBase, CorpID: wc.CorpID, Secret: wc.Secret, AgentID: wc.AgentIDNumber(), HTTP: httpc, Now: now}},
	}}
	a.Router = router
	dtStream := cfg.DingTalk.Mode == "stream"
	dtIn := &dingtalk.Inbound{
		AppSecret: cfg.DingTalk.AppSecret, MaxSkew: cfg.DingTalk.CallbackSkew.D(), MaxBody: cfg.Server.MaxBodyBytes,
		ReplyTimeout: cfg.DingTalk.ReplyTimeout.D(), HTTP: &http.Client{Timeout: cfg.DingTalk.ReplyTimeout.D()}, Now: now,
		SessionBases: []string{cfg.DingTalk.APIBase, cfg.DingTalk.OAPIBase, dingtalk.DefaultSessionBase},
	}
	if cfg.DingTalk.AppSecret != "" && !dtStream {
		members = append(members, dtIn)
	}
	if cfg.DingTalk.Configured() {
		client := &dingtalk.Client{
			APIBase: cfg.DingTalk.APIBase, OAPIBase: cfg.DingTalk.OAPIBase, AppKey: cfg.DingTalk.AppKey,
			AppSecret: cfg.DingTalk.AppSecret, RobotCode: cfg.DingTalk.RobotCode, HTTP: httpc, Now: now,
		}
		router.Platforms = append(router.Platforms, &dingtalk.Platform{Client: client})
	}
	a.Deliverer = &jobs.Deliverer{
		Store: a.Store, Senders: router.Senders(), OnFailed: router.OnFailed, Combine: router.Combine, Logger: log,
		Owner: owner, Now: now,
	}
	b.Queued = a.Deliverer.Notify
	a.Work = work(cfg, a.Store, b, log)
	if a.Scheduler, err = scheduler(cfg, a.Store, a.Work, owner, log); err != nil {
		return err
	}
	a.Scheduler.Now = now
	if a.Sandbox != nil {
		// The walk-through's last step: the joint-meeting group gets the
		// weekly summary now, not on Monday.
		a.Sandbox.Weekly = func(ctx context.Context) error {
			if _, err := a.Scheduler.RunNow(ctx, "weekly_summary"); err != nil {
				return err
			}
			a.Deliverer.Notify()
			return nil
		}
	}

	metrics := handlers.NewMetrics(a.Store)
	deps := handlers.Deps{
		Store: a.Store, Bot: b, Citizen: citizen, Inbound: members, Metrics: metrics, Logger: log, Now: now,
		CallbackTimeout: cfg.Server.CallbackTimeout.D(),
		Mounts:          a.mounts(), TrustedProxies: cfg.Server.TrustedProxies,
		H5: h5Config(cfg, b.Settings.Links, wc.CorpID, wc.Secret, wc.AgentIDNumber(), sandboxOn, httpc, now),
		// The public reply board, the open data and the dashboard (web.go).
		Public: publicConfig(cfg), Admin: adminConfig(cfg, wc.CorpID, wc.Secret, wc.AgentIDNumber(), sandboxOn, httpc, now, log),
	}
	a.Handler = handlers.New(deps)
	if cfg.DingTalk.Configured() && dtStream {
		a.stream = &dingtalk.Stream{
			AppKey: cfg.DingTalk.AppKey, AppSecret: cfg.DingTalk.AppSecret, APIBase: cfg.DingTalk.APIBase,
			Retry: cfg.DingTalk.StreamRetry.D(), Logger: log, Inbound: dtIn, Messages: handlers.NewMessages(deps, dtIn),
		}
	}
	return nil
}

// apply puts the set base URLs into cfg.
func (b Bases) apply(cfg *config.Config) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&cfg.MP.APIBase, b.MP)
	set(&cfg.WeCom.APIBase, b.WeCom)
	set(&cfg.DingTalk.APIBase, b.DingTalk)
	set(&cfg.DingTalk.OAPIBase, b.DingTalkOAPI)
}

// Addr is where Run serves: the injected listener's address, else
// server.addr.
func (a *App) Addr() string {
	if a.o.listener != nil {
		return a.o.listener.Addr().String()
	}
	return a.Config.Server.Addr
}

// Run serves HTTP and runs the deliverer, the scheduler and the DingTalk
// stream until ctx ends; then it stops taking requests, finishes those in
// flight within server.shutdown_timeout, and waits for the background work
// to end. Every goroutine it starts has ended when it returns.
func (a *App) Run(ctx context.Context) error {
	if a.Handler == nil {
		return errors.New("app: built Offline: nothing to serve")
	}
	cfg, log := a.Config, a.log
	srv := httpServer(cfg, a.Handler)
	errc := make(chan error, 1)
	go func() {
		if a.o.listener != nil {
			errc <- srv.Serve(a.o.listener)
			return
		}
		errc <- srv.ListenAndServe()
	}()
	log.Info("minsheng serving", "addr", a.Addr(), "database", cfg.Database.Driver, "sandbox", a.Sandbox != nil)

	// Background work: every goroutine has an owner (this function) and an
	// exit (workCtx), and shutdown waits for it.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	if !a.o.noWork {
		wg.Go(func() { a.Deliverer.Run(workCtx, 5*time.Second) })
		wg.Go(func() {
			if err := a.Scheduler.Run(workCtx); err != nil {
				log.Error("job scheduler stopped", "err", err)
			}
		})
		if a.Bot.Routing != nil {
			wg.Go(func() { a.Bot.Routing.Run(workCtx, a.Store, routingEvery, log) })
		}
		if a.stream != nil {
			wg.Go(func() {
				if err := a.stream.Run(workCtx); err != nil {
					log.Error("dingtalk stream stopped", "platform", models.PlatformDingTalk, "err", err)
				}
			})
		}
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
	err := srv.Shutdown(sctx)
	stopWork()
	wg.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped cleanly")
	return nil
}

// httpServer is the server Run serves with: every phase of a connection
// has a deadline (server.read_timeout, write_timeout, idle_timeout), so a
// slow or idle client cannot hold it.
func httpServer(cfg *config.Config, h http.Handler) *http.Server {
	read := cfg.Server.ReadTimeout.D()
	return &http.Server{
		Addr: cfg.Server.Addr, Handler: h,
		ReadHeaderTimeout: min(read, 10*time.Second), ReadTimeout: read,
		WriteTimeout: cfg.Server.WriteTimeout.D(), IdleTimeout: cfg.Server.IdleTimeout.D(),
	}
}

// routingEvery is how often each instance reads the routing decisions taken
// on any instance and retrains its model.
const routingEvery = 30 * time.Second

// startRouting gives the bot its routing model: the units' keywords as the
// prior, the decisions in the store learned and trained before the first
// report is read, so that every instance suggests alike from the start.
func (a *App) startRouting(ctx context.Context) error {
	deps, err := a.Store.Departments(ctx)
	if err != nil {
		return err
	}
	r := bot.NewRouting(deps)
	start := time.Now()
	n, err := r.Sync(ctx, a.Store)
	if err != nil {
		return err
	}
	r.Model.Train()
	a.log.Info("routing model trained", "decisions", n, "took", time.Since(start).Round(time.Millisecond))
	a.Bot.Routing = r
	return nil
}

// Close closes the store when New opened it. It is safe to call twice.
func (a *App) Close() error {
	if !a.ownStore || a.Store == nil {
		return nil
	}
	a.ownStore = false
	return a.Store.Close()
}

var _ io.Closer = (*App)(nil)
