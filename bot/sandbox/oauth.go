package sandbox

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// OAuthPath stands for WeCom's OAuth page in the sandbox: the case
// page sends a reader without a valid link here, the reader says which
// member they play, and the sandbox's WeCom fake issues the code that the
// case page exchanges through /cgi-bin/auth/getuserinfo, as with WeCom.
const OAuthPath = "/sandbox/wecom-oauth"

var sandboxOAuthPage = template.Must(template.New("oauth").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>企业微信登录 · 沙盒</title>
<style>body{margin:0;font:16px/1.6 sans-serif;background:#f2f3f5}main{max-width:420px;margin:12vh auto 0;background:#fff;border-radius:10px;padding:20px}
input,button{font-size:16px;padding:8px;width:100%;margin-top:8px;box-sizing:border-box}button{background:#2b4f81;color:#fff;border:0;border-radius:6px}</style>
</head><body><main><h1 style="font-size:18px;margin:0">企业微信身份（沙盒）</h1>
<p>真实部署中企业微信会自动确认身份。沙盒里请填写要扮演的成员 user_id（如 leader1、cg-head）。</p>
<form method="get" action="{{.Path}}">
<input type="hidden" name="redirect_uri" value="{{.Redirect}}"><input type="hidden" name="state" value="{{.State}}">
<input name="user" required placeholder="user_id" aria-label="user_id"><button type="submit">确认</button></form></main></body></html>`))

// oauthPage plays WeCom's OAuth page. It sends codes back only to this
// server's case pages.
func (s *Server) oauthPage(c *gin.Context) {
	redirect, state := c.Query("redirect_uri"), c.Query("state")
	u, err := url.Parse(redirect)
	if err != nil || !strings.HasPrefix(u.Path, "/case/") {
		c.String(http.StatusBadRequest, "redirect_uri must be a case page")
		return
	}
	user := strings.TrimSpace(c.Query("user"))
	if user == "" {
		c.Header("Content-Type", "text/html; charset=utf-8")
		sandboxOAuthPage.Execute(c.Writer, gin.H{"Path": OAuthPath, "Redirect": redirect, "State": state})
		return
	}
	q := u.Query()
	q.Set("code", s.WeCom.Fake.IssueOAuthCode(user))
	q.Set("state", state)
	u.RawQuery = q.Encode()
	c.Redirect(http.StatusFound, u.String())
}
