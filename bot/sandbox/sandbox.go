package sandbox

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"minsheng/bot/mp"
	"minsheng/bot/mp/mptest"
)

//go:embed web/*.html
var webFS embed.FS

var pages = template.Must(template.ParseFS(webFS, "web/*.html"))

// Server lets a person try the whole product with no platform account: an
// in-process fake of the Official Account API, and a page where one plays a
// citizen on a phone. The page drives the real callback path: every message is
// built, signed and AES-encrypted exactly as WeChat would, and posted through
// the same router that serves WeChat.
type Server struct {
	// MP is the fake Official Account API, mounted at /sandbox/mp-api.
	MP *mptest.FakeAPI
	// Driver plays WeChat toward /callback/mp.
	Driver *mp.Driver
	// AccountID is the Official Account's own id (ToUserName).
	AccountID string
	// WeCom, when set, is the sandbox's WeCom for the officers' phones.
	WeCom *WeCom
	Now   func() time.Time
}

// MPAPIPath is where the fake Official Account API is mounted.
const MPAPIPath = "/sandbox/mp-api"

// Credentials returns made-up Official Account credentials for the
// sandbox: a fresh AES key each start, as a real account would have one.
func Credentials() (appID, secret, token, aesKey string) {
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		panic(fmt.Sprintf("sandbox key: %v", err)) // the OS has no randomness: nothing can work
	}
	var s [16]byte
	rand.Read(s[:])
	return "wxsandbox00000001", fmt.Sprintf("%x", s), "sandboxtoken", strings.TrimSuffix(base64.StdEncoding.EncodeToString(k[:]), "=")
}

// New returns a sandbox for the account with these credentials.
func New(appID, secret, token, aesKey string, now func() time.Time) *Server {
	if now == nil {
		now = time.Now
	}
	api := mptest.NewFakeAPI(appID, secret)
	api.Now = now
	return &Server{
		MP:        api,
		AccountID: "gh_sandbox_mp",
		Now:       now,
		Driver: &mp.Driver{
			URL: "http://sandbox.internal/callback/mp", AppID: appID, Token: token,
			EncodingAESKey: aesKey, Safe: true, Now: now,
		},
	}
}

// inProcess sends the driver's requests through the router itself: the bytes
// are what WeChat would send, only the socket is skipped.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// Mount adds the sandbox page, the citizen's endpoints and the fake
// Official Account API (and, with WeCom set, the officers' WeCom) to r, the
// server's own router, which the drivers post their callbacks through. It
// implements handlers.Mounter.
func (s *Server) Mount(r *gin.Engine) {
	if s.Driver.HTTP == nil {
		s.Driver.HTTP = &http.Client{Transport: inProcess{r}, Timeout: 5 * time.Second}
	}
	r.GET("/sandbox", s.page)
	r.POST("/sandbox/api/citizen", s.citizenSend)
	r.GET("/sandbox/api/citizen/inbox", s.citizenInbox)
	api := http.StripPrefix(MPAPIPath, s.MP)
	r.Any(MPAPIPath+"/*path", gin.WrapH(api))
	if s.WeCom != nil {
		s.mountWeCom(r)
	}
}

func (s *Server) page(c *gin.Context) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	if err := pages.ExecuteTemplate(c.Writer, "sandbox.html", nil); err != nil {
		slog.ErrorContext(c.Request.Context(), "render sandbox page", "err", err)
	}
}

// sandboxSend is what the page posts for the citizen.
type sandboxSend struct {
	// Citizen is the sandbox citizen's made-up openid.
	Citizen string  `json:"citizen"`
	Type    string  `json:"type"` // text, image, location, subscribe
	Text    string  `json:"text"`
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
}

func (s *Server) citizenSend(c *gin.Context) {
	var in sandboxSend
	if err := c.ShouldBindJSON(&in); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": "请求格式不对"})
		return
	}
	if !strings.HasPrefix(in.Citizen, "sandbox-") || len(in.Citizen) > 64 {
		c.JSON(http.StatusBadRequest, gin.H{"error": "沙盒群众的标识应以 sandbox- 开头"})
		return
	}
	if utf8.RuneCountInString(in.Text) > 5000 {
		c.JSON(http.StatusBadRequest, gin.H{"error": "内容太长"})
		return
	}
	m := mp.Message{FromUser: in.Citizen, ToUser: s.AccountID, MsgType: in.Type, Content: in.Text}
	switch in.Type {
	case "text":
	case "image":
		m.PicURL, m.MediaID = "http://sandbox.internal/sample.jpg", "sandbox-media-1"
	case "location":
		m.LocationX, m.LocationY, m.Scale, m.Label = in.Lat, in.Lng, 15, in.Text
	case "subscribe":
		m.MsgType, m.Event = "event", "subscribe"
	default:
		c.JSON(http.StatusBadRequest, gin.H{"error": "未知的消息类型"})
		return
	}
	s.MP.Touch(in.Citizen, s.Now())
	ctx, cancel := context.WithTimeout(c.Request.Context(), 5*time.Second)
	defer cancel()
	reply, err := s.Driver.Send(ctx, m)
	if err != nil {
		c.JSON(http.StatusBadGateway, gin.H{"error": "回调未成功：" + err.Error()})
		return
	}
	c.JSON(http.StatusOK, gin.H{
		"reply":  reply.Content,
		"status": reply.Status,
		// What came back over the wire: the encrypted, signed envelope.
		"raw": string(reply.Raw),
	})
}

func (s *Server) citizenInbox(c *gin.Context) {
	var out []gin.H
	for _, m := range s.MP.SentTo(c.Query("citizen")) {
		text := m.Text
		if m.Kind == mptest.KindTemplate {
			var parts []string
			for _, k := range slices.Sorted(maps.Keys(m.Data)) {
				parts = append(parts, k+"："+m.Data[k])
			}
			text = strings.Join(parts, "\n")
		}
		out = append(out, gin.H{"kind": m.Kind, "text": text, "at": m.At.Format(time.RFC3339)})
	}
	c.JSON(http.StatusOK, gin.H{"messages": out})
}
