package bench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"minsheng/app"
	"minsheng/bot"
	"minsheng/bot/mp"
	"minsheng/bot/wecom"
	"minsheng/config"
	"minsheng/models"
)

// office is a whole deployment in this process, built as the server builds
// itself (package app): the store, the organisation and settings of
// config.yaml, the bot, the real router behind an HTTP server on 127.0.0.1,
// and drivers that play WeChat and WeCom toward it. Nothing is delivered and
// no job is scheduled: the outbox fills, as it would while the platforms are
// slow.
type office struct {
	app    *app.App
	store  *models.Store
	bot    *bot.Bot
	addr   string // host:port of the server
	url    string
	mp     *mp.Driver
	wecom  *wecom.Driver
	run    string // a random prefix that keeps this run's openids and message ids apart
	stop   context.CancelFunc
	errc   chan error
	closed bool
}

// newOffice builds the server of cfg on store, with the bench's own platform
// credentials, and starts it.
func newOffice(ctx context.Context, store *models.Store, cfg *config.Config, log *slog.Logger) (*office, error) {
	appID, token := "wxbench000000001", "benchtoken"
	corpID, wcToken, agentID := "wwbench000000001", "benchwecomtoken", "1000002"
	mpKey, wcKey := randomAESKey(), randomAESKey()
	c := *cfg
	c.Server.Sandbox = "off"
	c.MP.AppID, c.MP.AppSecret, c.MP.Token, c.MP.EncodingAESKey, c.MP.AllowPlaintext = appID, "benchsecret", token, mpKey, false
	c.WeCom.CorpID, c.WeCom.Token, c.WeCom.EncodingAESKey, c.WeCom.AgentID = corpID, wcToken, wcKey, agentID
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: listen: %w", err)
	}
	a, err := app.New(ctx, &c, app.WithStore(store), app.WithLogger(log), app.WithListener(ln), app.WithoutWork())
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("bench: %w", err)
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	o := &office{app: a, store: store, bot: a.Bot, addr: a.Addr(), url: "http://" + a.Addr(), stop: stop, errc: make(chan error, 1)}
	go func() { o.errc <- a.Run(runCtx) }()
	// One keep-alive connection per client, as WeChat's servers keep theirs.
	httpc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute,
	}}
	o.mp = &mp.Driver{URL: o.url + "/callback/mp", AppID: appID, Token: token, EncodingAESKey: mpKey, Safe: true, HTTP: httpc}
	o.wecom = &wecom.Driver{URL: o.url + "/callback/wecom", CorpID: corpID, AgentID: agentID,
		Token: wcToken, EncodingAESKey: wcKey, HTTP: httpc}
	var r [4]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails
	o.run = hex.EncodeToString(r[:])
	return o, nil
}

// close stops the server, letting the requests in flight finish.
func (o *office) close() {
	if o.closed {
		return
	}
	o.closed = true
	o.stop()
	if err := <-o.errc; err != nil {
		slog.Default().Warn("bench server stopped", "err", err)
	}
}

func randomAESKey() string {
	var k [32]byte
	_, _ = rand.Read(k[:]) // crypto/rand.Read never fails
	return strings.TrimSuffix(base64.StdEncoding.EncodeToString(k[:]), "=")
}

// dispatcherCount is how many dispatchers get a card for each new case.
func (o *office) dispatcherCount(ctx context.Context) (int, error) {
	var n int64
	err := o.store.DB().WithContext(ctx).Model(&models.Member{}).
		Where("role = ? AND active = ?", models.RoleDispatcher, true).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("bench: count dispatchers: %w", err)
	}
	return int(n), nil
}

// serverVersion names the database server and its version.
func (o *office) serverVersion(ctx context.Context) (string, error) {
	var v string
	if o.store.Driver() == "postgres" {
		err := o.store.DB().WithContext(ctx).Raw("SHOW server_version").Scan(&v).Error
		return "PostgreSQL " + v, err
	}
	err := o.store.DB().WithContext(ctx).Raw("SELECT VERSION()").Scan(&v).Error
	return "MariaDB " + v, err
}

// report is one citizen report of the bench: a distinct citizen, a text
// that names a unit's keyword, so the dispatcher's card offers a one-tap
// assignment as on a real morning.
func (o *office) report(prefix string, i int) mp.Message {
	places := []string{"解放路", "人民路", "幸福小区", "建设街", "城南菜市场", "滨河公园", "火车站广场", "实验小学"}
	problems := []string{
		"的路灯不亮了", "有井盖丢失很危险", "垃圾好几天没人清运", "物业不管楼道堵塞",
		"夜里施工噪音扰民", "排污口有异味", "燃气管道有异味", "占道经营严重堵路",
	}
	text := fmt.Sprintf("%s%d号附近%s，已经%d天了，请尽快处理。", places[i%len(places)], i%97+1, problems[(i/len(places))%len(problems)], i%9+2)
	return mp.Message{
		FromUser: fmt.Sprintf("o%s%s%07d", o.run, prefix, i), ToUser: "gh_bench",
		MsgType: "text", Content: text,
	}
}
