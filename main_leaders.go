package main

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"strconv"

	"minsheng/bot"
	"minsheng/bot/wecom"
	"minsheng/config"
	"minsheng/handlers"
	"minsheng/models"
)

// leaderSettings turns review.*, serious.*, the leaders' scopes and the link
// secret into the bot's settings. Without server.link_secret a random secret
// is drawn, loudly: links then stop working at the next start.
func leaderSettings(cfg *config.Config, log *slog.Logger) (bot.ReviewSettings, bot.LeaderSettings, bot.LinkSettings) {
	roles := func(chain []string) []models.Role {
		var out []models.Role
		for _, r := range chain {
			out = append(out, models.Role(r))
		}
		return out
	}
	rv := bot.ReviewSettings{
		Default: roles(cfg.Review.Default), Units: map[string][]models.Role{},
		MinAnswerRunes: cfg.Review.MinAnswerLength, MinConcreteRunes: cfg.Review.MinConcreteLength,
		Sensitive: cfg.Review.SensitiveWords, Boilerplate: cfg.Review.BoilerplatePhrases,
	}
	for _, d := range cfg.Org.Departments {
		if len(d.Review) > 0 {
			rv.Units[d.Code] = roles(d.Review)
		}
	}
	ld := bot.LeaderSettings{
		Scopes: map[string][]string{}, ChaseEvery: cfg.Serious.ChaseEvery.D(),
		CriticalWords: cfg.Serious.CriticalKeywords, MajorWords: cfg.Serious.MajorKeywords,
	}
	platformOf := map[string]string{}
	for _, m := range cfg.Org.Members {
		platformOf[m.UserID] = m.Platform
		if platformOf[m.UserID] == "" {
			platformOf[m.UserID] = models.PlatformWeCom
		}
	}
	for _, r := range cfg.Serious.ReportUp {
		up := bot.UpperRecipient{Name: r.Name, Group: bot.GroupAddress{RobotKey: r.WeComRobotKey, Webhook: r.DingTalkWebhook, Secret: r.DingTalkSecret}}
		for _, u := range r.Members {
			up.Members = append(up.Members, bot.MemberRef{Platform: platformOf[u], UserID: u})
		}
		ld.ReportUp = append(ld.ReportUp, up)
	}
	for _, m := range cfg.Org.Members {
		if m.Role == "leader" && len(m.Scope) > 0 {
			platform := m.Platform
			if platform == "" {
				platform = models.PlatformWeCom
			}
			ld.Scopes[bot.ScopeKey(platform, m.UserID)] = m.Scope
		}
	}
	secret := []byte(cfg.Server.LinkSecret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret)
		log.Warn("server.link_secret is not set: case-page links are signed with a random secret and stop working at the next start; set MINSHENG_LINK_SECRET")
	}
	return rv, ld, bot.LinkSettings{Secret: secret, TTL: cfg.Server.LinkTTL.D()}
}

// h5Config is the case page's: sessions signed with the link secret, and
// WeCom OAuth when a WeCom app is configured (in the sandbox, the sandbox's
// own OAuth page stands for WeCom's).
func h5Config(cfg *config.Config, links bot.LinkSettings, corpID, secret string, agentID int64, sandbox bool, httpc *http.Client) *handlers.H5Config {
	h := &handlers.H5Config{
		Secret: links.Secret, SessionTTL: cfg.Server.SessionTTL.D(), PublicURL: cfg.Server.PublicURL,
		AuthorizeURL: cfg.WeCom.OAuthURL, CorpID: corpID, AgentID: strconv.FormatInt(agentID, 10),
	}
	if sandbox {
		h.AuthorizeURL = handlers.SandboxOAuthPath
	}
	if corpID != "" && secret != "" {
		h.OAuth = &wecom.Client{BaseURL: cfg.WeCom.APIBase, CorpID: corpID, Secret: secret, AgentID: agentID, HTTP: httpc}
	}
	return h
}
