package main

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"

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
func adminConfig(cfg *config.Config, corpID, secret string, agentID int64, sandbox bool, httpc *http.Client, log *slog.Logger) *handlers.AdminConfig {
	a := cfg.Admin
	out := &handlers.AdminConfig{
		Secret: []byte(a.SessionSecret), SessionTTL: a.SessionTTL.D(), Sandbox: sandbox,
		AuthorizeURL: cfg.WeCom.OAuthURL, CorpID: corpID, AgentID: strconv.FormatInt(agentID, 10), PublicURL: cfg.Server.PublicURL,
		LoginFailures: a.LoginFailures, Lockout: a.Lockout.D(),
		OverdueList: a.OverdueList, TrendWeeks: a.TrendWeeks, FailedList: a.FailedList, PageSize: a.PageSize, ExportMaxDays: a.ExportMaxDays,
		ReplyTarget: cfg.Deadlines.ReplyRateTarget, SatisfactionTarget: cfg.Deadlines.SatisfactionTarget,
		FlagRule: models.FlagRule(cfg.Reports.FlagRule),
	}
	for _, u := range a.Users {
		out.Accounts = append(out.Accounts, handlers.AdminAccount{Name: u.Name, PasswordHash: []byte(u.PasswordHash)})
	}
	if a.OAuth && !sandbox && corpID != "" && secret != "" {
		out.OAuth = &wecom.Client{BaseURL: cfg.WeCom.APIBase, CorpID: corpID, Secret: secret, AgentID: agentID, HTTP: httpc}
	}
	if len(out.Secret) == 0 {
		out.Secret = make([]byte, 32)
		rand.Read(out.Secret)
		if len(out.Accounts) > 0 || out.OAuth != nil {
			log.Warn("admin.session_secret is not set: dashboard sign-ins are signed with a random secret and end at the next start; set MINSHENG_ADMIN_SECRET")
		}
	}
	if len(out.Accounts) == 0 && out.OAuth == nil && !sandbox {
		log.Info("the dashboard /admin is closed: no admin.users and no WeCom OAuth (see config.yaml admin:)")
	}
	return out
}

// hashPassword reads a password from in (one line) and writes its bcrypt
// hash, for admin.users[].password_hash.
func hashPassword(in io.Reader, out io.Writer) error {
	fmt.Fprintln(out, "输入工作台账号的密码（至少 10 个字符），回车结束：")
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("hash-password: read the password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if len([]rune(pw)) < 10 {
		return errors.New("hash-password: the password must have at least 10 characters")
	}
	if len(pw) > 72 {
		return errors.New("hash-password: the password must be at most 72 bytes (bcrypt)")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash-password: %w", err)
	}
	fmt.Fprintf(out, "password_hash: %q\n", string(h))
	return nil
}
