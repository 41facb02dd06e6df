// Package handlers is the HTTP face of 民声: platform callbacks, health and
// metrics, the case page, the board and the dashboard; the sandbox
// (bot/sandbox) mounts itself through Mounter. Handlers are thin: bind, call
// the bot, map the error, write.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"minsheng/bot"
	"minsheng/models"
)

// Deps is what the handlers need.
type Deps struct {
	Store *models.Store
	Bot   *bot.Bot
	// Citizen is the platform citizens write on (the Official Account,
	// bot/mp), its callback at /callback/<name>; nil leaves it unmounted.
	Citizen bot.CitizenInbound
	// Inbound are the platforms members work on (bot/wecom, bot/dingtalk in
	// HTTP mode), each with its callback at /callback/<name>. The handlers
	// reach the platforms only through these seams; app builds them.
	Inbound []bot.Inbound
	Metrics *Metrics
	Logger  *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// CallbackTimeout bounds the bot's work on one platform callback
	// (server.callback_timeout): past it the sender is told 系统繁忙, within
	// WeChat's 5 seconds, and the platform's retry is handled once. Zero
	// means no deadline.
	CallbackTimeout time.Duration
	// H5, when set, mounts the mobile case page /case/<no> (h5.go).
	H5 *H5Config
	// Public, when set, mounts the public reply board /board and the open
	// data /open311/v2 (public.go, open311.go).
	Public *PublicConfig
	// Admin is the dispatcher's dashboard /admin (admin.go); nil, or with no
	// way to sign in, /admin answers 403 and says how to open it.
	Admin *AdminConfig
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges)
	// whose X-Forwarded-For / X-Real-IP name the client
	// (server.trusted_proxies); empty, the client is the connection's
	// address and no header is believed.
	TrustedProxies []string
	// Mounts add routes of their own after every other route, in order:
	// the sandbox's page and fakes (bot/sandbox) when it is on.
	Mounts []Mounter
}

// Mounter adds its own routes to the server's router. The sandbox is one:
// it gets the router itself, to post its drivers' callbacks through it, and
// the handlers never import it.
type Mounter interface {
	Mount(r *gin.Engine)
}

type loggerKey struct{}

// New returns the router with every route of the server in one place.
func New(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	r := gin.New()
	// gin believes X-Forwarded-For from anyone unless told whom to believe.
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		d.Logger.Error("server.trusted_proxies refused; no proxy header is believed", "err", err)
		r.SetTrustedProxies(nil)
	}
	r.RemoteIPHeaders = []string{"X-Forwarded-For", "X-Real-IP"}
	r.Use(gin.CustomRecovery(func(c *gin.Context, err any) {
		logger(c).Error("handler panic", "path", c.FullPath(), "panic", err)
		c.AbortWithStatus(http.StatusInternalServerError)
	}))
	r.Use(func(c *gin.Context) {
		ctx := context.WithValue(c.Request.Context(), loggerKey{}, d.Logger)
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	})

	// The platform citizens write on: the Official Account.
	if d.Citizen != nil {
		h := &citizenHandler{in: d.Citizen, bot: d.Bot, metrics: d.Metrics, now: d.Now, timeout: d.CallbackTimeout}
		r.GET("/callback/"+string(d.Citizen.Name()), h.verify)
		r.POST("/callback/"+string(d.Citizen.Name()), h.receive)
	}

	// The platforms members work on: one callback each, through its
	// bot.Inbound (verified by GET when the platform does that).
	for _, in := range d.Inbound {
		h := &callbackHandler{in: in, bot: d.Bot, metrics: d.Metrics, now: d.Now, timeout: d.CallbackTimeout}
		if _, ok := in.(bot.Verifier); ok {
			r.GET("/callback/"+string(in.Name()), h.verify)
		}
		r.POST("/callback/"+string(in.Name()), h.receive)
	}

	home := homeHandler{sandbox: d.Admin != nil && d.Admin.Sandbox}
	r.GET("/", home.index)
	r.GET("/favicon.ico", home.favicon)
	r.GET("/healthz", func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := d.Store.Ready(ctx); err != nil {
			logger(c).Error("health check: the store cannot take a report", "err", err)
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "database not ready"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ok", "database": d.Store.Driver()})
	})
	if d.H5 != nil {
		h := &h5Handler{cfg: *d.H5, bot: d.Bot, now: d.Now}
		r.GET("/case/:no", h.page)
		r.POST("/case/:no/act", h.act)
	}
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(d.Metrics.Registry, promhttp.HandlerOpts{})))
	if d.Public != nil {
		h := &publicHandler{cfg: *d.Public, store: d.Store, now: d.Now}
		r.GET("/board", h.board)
		g := r.Group("/open311/v2", h.open311Headers)
		g.GET("/services.json", h.services)
		g.GET("/requests.json", h.requests)
		g.GET("/requests/:id", h.request)
	}

	admin := newAdminHandler(d.Admin, d.Store, d.Bot, d.Now)
	g := r.Group("/admin", admin.headers, admin.closed)
	g.GET("/login", admin.loginPage)
	g.POST("/login", admin.login)
	g.POST("/login/sandbox", admin.sandboxLogin)
	g.GET("/oauth", admin.oauth)
	signedIn := g.Group("", admin.auth)
	signedIn.GET("", admin.dashboard)
	signedIn.GET("/cases", admin.cases)
	signedIn.GET("/export.csv", admin.exportCSV)
	signedIn.GET("/export.xlsx", admin.exportXLSX)
	posts := signedIn.Group("", admin.csrf)
	posts.POST("/logout", admin.logout)
	posts.POST("/outbox/:id/retry", admin.retry)
	posts.POST("/cases/:no/withhold", admin.withhold)
	posts.POST("/cases/:no/publish", admin.publish)

	for _, m := range d.Mounts {
		m.Mount(r)
	}
	return r
}

func logger(c *gin.Context) *slog.Logger { return loggerCtx(c.Request.Context()) }

func loggerCtx(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}
