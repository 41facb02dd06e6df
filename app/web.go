package app

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"minsheng/bot"
	"minsheng/bot/sandbox"
	"minsheng/bot/wecom"
	"minsheng/config"
	"minsheng/handlers"
	"minsheng/models"
)

// publicConfig is the public reply board's and the open data's (board.*,
// open311.*).
func publicConfig(cfg *config.Config) *handlers.PublicConfig {
	b := cfg.Board
	return &handlers.PublicConfig{
		PageSize: b.PageSize, RateMonths: b.RateMonths, SearchScan: b.SearchScan, QueryMax: b.QueryMax,
		StatsCache: b.StatsCache.D(), ReplyTarget: cfg.Deadlines.ReplyRateTarget, SatisfactionTarget: cfg.Deadlines.SatisfactionTarget,
		Open311: handlers.Open311Config{PageSize: cfg.Open311.PageSize, MaxPageSize: cfg.Open311.MaxPageSize, DefaultDays: cfg.Open311.DefaultDays},
	}
}

// adminConfig is the dashboard's (admin.*): the accounts, WeCom OAuth for
// dispatchers when a WeCom app is configured (outside the sandbox), and in
// the sandbox its marked sign-in. Without admin.session_secret a random
// secret is drawn, loudly: sign-ins then end at the next start.
func adminConfig(cfg *config.Config, corpID, secret string, agentID int64, sandbox bool, httpc *http.Client, now func() time.Time, log *slog.Logger) *handlers.AdminConfig {
	a := cfg.Admin
	out := &handlers.AdminConfig{
		Secret: []byte(a.SessionSecret), SessionTTL: a.SessionTTL.D(), Sandbox: sandbox,
		AuthorizeURL: cfg.WeCom.OAuthURL, CorpID: corpID, AgentID: strconv.FormatInt(agentID, 10), PublicURL: cfg.Server.PublicURL,
		LoginFailures: a.LoginFailures, Lockout: a.Lockout.D(),
		OverdueList: a.OverdueList, TrendWeeks: a.TrendWeeks, FailedList: a.FailedList, PageSize: a.PageSize, ExportMaxDays: a.ExportMaxDays,
		ReplyTarget: cfg.Deadlines.ReplyRateTarget, SatisfactionTarget: cfg.Deadlines.SatisfactionTarget,
		FlagRule: models.FlagRule(cfg.Reports.FlagRule), Weights: &Assessment(cfg, nil).Weights,
	}
	for _, u := range a.Users {
		out.Accounts = append(out.Accounts, handlers.AdminAccount{Name: u.Name, PasswordHash: []byte(u.PasswordHash)})
	}
	if a.OAuth && !sandbox && corpID != "" && secret != "" {
		out.OAuth = &wecom.Client{BaseURL: cfg.WeCom.APIBase, CorpID: corpID, Secret: secret, AgentID: agentID, HTTP: httpc, Now: now}
	}
	if len(out.Secret) == 0 {
		out.Secret = make([]byte, 32)
		rand.Read(out.Secret)
		if len(out.Accounts) > 0 || out.OAuth != nil {
			log.Warn("admin.session_secret is not set: dashboard sign-ins are signed with a random secret and end at the next start, and are refused by any other instance; set MINSHENG_ADMIN_SECRET, the same on every instance")
		}
	}
	if len(out.Accounts) == 0 && out.OAuth == nil && !sandbox {
		log.Info("the dashboard /admin is closed: no admin.users and no WeCom OAuth (see config.yaml admin:)")
	}
	return out
}

// h5Config is the case page's: sessions signed with the link secret, and
// WeCom OAuth when a WeCom app is configured (in the sandbox, the sandbox's
// own OAuth page stands for WeCom's).
func h5Config(cfg *config.Config, links bot.LinkSettings, corpID, secret string, agentID int64, inSandbox bool, httpc *http.Client, now func() time.Time) *handlers.H5Config {
	h := &handlers.H5Config{
		Secret: links.Secret, SessionTTL: cfg.Server.SessionTTL.D(), PublicURL: cfg.Server.PublicURL,
		AuthorizeURL: cfg.WeCom.OAuthURL, CorpID: corpID, AgentID: strconv.FormatInt(agentID, 10),
	}
	if inSandbox {
		h.AuthorizeURL = sandbox.OAuthPath
	}
	if corpID != "" && secret != "" {
		h.OAuth = &wecom.Client{BaseURL: cfg.WeCom.APIBase, CorpID: corpID, Secret: secret, AgentID: agentID, HTTP: httpc, Now: now}
	}
	return h
}
