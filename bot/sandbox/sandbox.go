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
	"sync"
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
	// Weekly, when set, runs the weekly summary now (as `minsheng run-job
	// weekly_summary` does), for the walk-through's last step.
	Weekly func(ctx context.Context) error

	mu sync.Mutex
	// talk is each citizen's side of the conversation and the answers that
	// came back at once, so that the phone shows it again after a reload
	// (what was pushed later is in MP).
	talk map[string][]said
}

// said is one line of a citizen's conversation: from the citizen ("me"),
// the account's immediate answer ("them") or a note ("sys").
type said struct {
	Kind string    `json:"kind"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// remember adds lines to the citizen's conversation, keeping the newest
// sandboxTalkMax.
func (s *Server) remember(citizen string, lines ...said) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.talk == nil {
		s.talk = map[string][]said{}
	}
	t := append(s.talk[citizen], lines...)
	if len(t) > sandboxTalkMax {
		t = t[len(t)-sandboxTalkMax:]
	}
	s.talk[citizen] = t
}

// sandboxTalkMax is how many lines of a citizen's conversation are kept.
const sandboxTalkMax = 200

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
	r.POST("/sandbox/api/weekly", s.weekly)
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
	lines := []said{{Kind: "me", Text: shown(in), At: s.Now()}}
	if in.Type == "subscribe" {
		lines[0].Kind = "sys"
	}
	if reply.Content != "" {
		lines = append(lines, said{Kind: "them", Text: reply.Content, At: s.Now()})
	}
	s.remember(in.Citizen, lines...)
	c.JSON(http.StatusOK, gin.H{
		"reply":  reply.Content,
		"status": reply.Status,
		// What came back over the wire: the encrypted, signed envelope.
		"raw": string(reply.Raw),
	})
}

// shown is how the citizen's phone shows what was sent.
func shown(in sandboxSend) string {
	switch in.Type {
	case "image":
		return "[图片]"
	case "location":
		return "[位置] " + in.Text
	case "subscribe":
		return "（关注了公众号）"
	}
	return in.Text
}

// weekly runs the weekly summary for the walk-through: the joint-meeting
// group gets it as on a Monday morning.
func (s *Server) weekly(c *gin.Context) {
	if s.Weekly == nil {
		c.JSON(http.StatusNotFound, gin.H{"error": "没有周报任务"})
		return
	}
	if err := s.Weekly(c.Request.Context()); err != nil {
		slog.ErrorContext(c.Request.Context(), "sandbox weekly summary", "err", err)
		c.JSON(http.StatusInternalServerError, gin.H{"error": "周报没有生成，请看服务器日志"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

// citizenInbox is a citizen's phone: messages, what the account pushed
// (the unit's answer, notices), and history, the citizen's own messages
// with the answers that came back at once.
func (s *Server) citizenInbox(c *gin.Context) {
	s.mu.Lock()
	history := slices.Clone(s.talk[c.Query("citizen")])
	s.mu.Unlock()
	if history == nil {
		history = []said{}
	}
	out := []gin.H{}
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
	c.JSON(http.StatusOK, gin.H{"messages": out, "history": history})
}
