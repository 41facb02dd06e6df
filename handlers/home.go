package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// homeHandler answers the site's root: in sandbox mode it leads to the
// sandbox, otherwise a short page naming the public board and the
// dashboard.
type homeHandler struct{ sandbox bool }

const homePage = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>民声 · 网络问政</title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f7fa;color:#222}
main{max-width:36rem;margin:3rem auto;padding:0 1.2rem;line-height:1.7}
h1{font-size:1.5rem;margin:0 0 .6rem}
a{color:#2f6fd6}
</style>
</head>
<body>
<main>
<h1>民声 · 网络问政</h1>
<p>群众通过公众号反映问题，各部门在企业微信或钉钉里办理并答复。</p>
<p>各部门的答复公开在<a href="/board">部门回应</a>（公开答复栏），可按单位和关键词查找。</p>
<p>工作人员请进入<a href="/admin">工作台</a>。</p>
</main>
</body>
</html>
`

// index is GET /.
func (h homeHandler) index(c *gin.Context) {
	if h.sandbox {
		c.Redirect(http.StatusFound, "/sandbox")
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(homePage))
}

// favicon is GET /favicon.ico: no icon, and no 404 in the logs either.
func (homeHandler) favicon(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=86400")
	c.Status(http.StatusNoContent)
}
