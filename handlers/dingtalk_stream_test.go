package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/open-dingtalk/dingtalk-stream-sdk-go/chatbot"

	"minsheng/bot/dingtalk"
	"minsheng/handlers"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// newStream returns the Stream mode receiver of o's deployment: DingTalk's
// package reads the messages, the handlers' path takes them on.
func (o *dtOffice) newStream() *dingtalk.Stream {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	msgs := handlers.NewMessages(handlers.Deps{Bot: o.bot, Metrics: handlers.NewMetrics(o.store), Now: o.clock.Now, Logger: quiet}, o.dtIn)
	return &dingtalk.Stream{AppKey: dtAppKey, AppSecret: dtAppSecret, Logger: quiet, Inbound: o.dtIn, Messages: msgs}
}

// streamData is m as the Stream SDK hands it to the chatbot handler.
func streamData(t *testing.T, m dingtalk.Message) *chatbot.BotCallbackDataModel {
	t.Helper()
	var data chatbot.BotCallbackDataModel
	modeltest.Must(t, json.Unmarshal(mustJSON(m), &data), "decode as the SDK does")
	return &data
}

// TestDingTalkStreamHandler: the handler registered for Stream mode takes a
// message to the bot and answers through the session webhook, once per msgId.
func TestDingTalkStreamHandler(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newDingTalkOffice(t, s)
		ctx := context.Background()
		st := o.newStream()
		no := o.citizen(t, "oCitizenStream1", "幸福小区东门路灯不亮")
		o.say(t, "dispatcher1", "交办 "+no+" cg")

		m := o.message("cg-officer1", "签收 "+no, "msgStream0001==")
		for i := 0; i < 2; i++ { // the second is DingTalk delivering it again
			if _, err := st.OnMessage(ctx, streamData(t, m)); err != nil {
				t.Fatalf("OnMessage: %v", err)
			}
		}
		if r := o.repliesTo(m); len(r) != 2 || !strings.HasPrefix(r[0], "已签收 "+no) || r[0] != r[1] {
			t.Errorf("answers = %q; want 已签收 twice", r)
		}
		k, _ := s.CaseByNo(ctx, no)
		if n := countRows(t, s, &models.CaseEvent{}, "case_id = ? AND kind = ?", k.ID, models.EventAccepted); k.Status != models.StatusHandling || n != 1 {
			t.Errorf("case %s after stream 签收: %s, %d accepted events; want handling and 1", no, k.Status, n)
		}

		bad := streamData(t, m)
		bad.MsgId = ""
		if _, err := st.OnMessage(ctx, bad); !errors.Is(err, dingtalk.ErrMalformed) {
			t.Errorf("message without msgId: %v; want ErrMalformed", err)
		}
		if _, err := st.OnMessage(ctx, nil); err == nil {
			t.Errorf("nil message accepted")
		}
		if n := countRows(t, s, &models.InboundMessage{}, "platform = ?", "dingtalk"); n != 1 {
			t.Errorf("inbound rows = %d; want 1", n)
		}
	})
}

// fakeGateway plays DingTalk's Stream gateway: connections/open hands out a
// websocket endpoint, which pushes one robot message and records the ack.
type fakeGateway struct {
	srv   *httptest.Server
	frame []byte
	acks  chan map[string]any
	mu    sync.Mutex
	opens []map[string]any
}

func newFakeGateway(t *testing.T, frame []byte) *fakeGateway {
	g := &fakeGateway{frame: frame, acks: make(chan map[string]any, 4)}
	up := websocket.Upgrader{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1.0/gateway/connections/open", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		json.NewDecoder(r.Body).Decode(&in)
		g.mu.Lock()
		g.opens = append(g.opens, in)
		g.mu.Unlock()
		if in["clientId"] != dtAppKey || in["clientSecret"] != dtAppSecret {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code":"invalidClientIdOrSecret","message":"无效的clientId或者clientSecret"}`))
			return
		}
		json.NewEncoder(w).Encode(map[string]string{
			"endpoint": "ws" + strings.TrimPrefix(g.srv.URL, "http") + "/gateway", "ticket": "ticket-1",
		})
	})
	mux.HandleFunc("GET /gateway", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("ticket") != "ticket-1" {
			http.Error(w, "bad ticket", http.StatusForbidden)
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		if err := c.WriteMessage(websocket.TextMessage, g.frame); err != nil {
			return
		}
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			var ack map[string]any
			if json.Unmarshal(b, &ack) == nil {
				g.acks <- ack
			}
		}
	})
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

// TestDingTalkStreamThroughSDK runs Stream mode through the SDK against a
// fake gateway speaking the Stream protocol: a pushed robot message is
// handled, answered and acknowledged, and Run stops when told.
func TestDingTalkStreamThroughSDK(t *testing.T) {
	s := modeltest.Open(t, "sqlite")
	o := newDingTalkOffice(t, s)
	no := o.citizen(t, "oCitizenStream2", "解放路井盖丢失很危险")
	o.say(t, "dispatcher1", "交办 "+no+" cg")
	m := o.message("cg-officer1", "签收 "+no, "msgStreamSDK01==")
	frame := mustJSON(map[string]any{
		"specVersion": "1.0", "type": "CALLBACK", "time": time.Now().UnixMilli(),
		"headers": map[string]string{
			"topic": "/v1.0/im/bot/messages/get", "messageId": "frame-1", "contentType": "application/json",
			"time": "1790000000000", "appId": "app-1",
		},
		"data": string(mustJSON(m)),
	})
	g := newFakeGateway(t, frame)
	st := o.newStream()
	st.APIBase, st.Retry = g.srv.URL, 50*time.Millisecond

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()
	select {
	case ack := <-g.acks:
		if code, _ := ack["code"].(float64); code != 200 {
			t.Errorf("ack = %v; want code 200", ack)
		}
		if h, _ := ack["headers"].(map[string]any); h["messageId"] != "frame-1" {
			t.Errorf("ack headers = %v; want messageId frame-1", ack["headers"])
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no ack from the stream client within 10s")
	}
	if r := o.repliesTo(m); len(r) != 1 || !strings.HasPrefix(r[0], "已签收 "+no) {
		t.Errorf("answers = %q; want 已签收", r)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v; want nil after a clean stop", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after ctx ended")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.opens) == 0 || g.opens[0]["clientId"] != dtAppKey {
		t.Errorf("connections/open calls = %v; want the app's credentials", g.opens)
	}
}

// TestDingTalkStreamRunRetriesAndStops: with the gateway refusing the app,
// Run keeps trying and returns as soon as it is told to stop; without
// credentials it says which keys are missing.
func TestDingTalkStreamRunRetriesAndStops(t *testing.T) {
	s := modeltest.Open(t, "sqlite")
	o := newDingTalkOffice(t, s)
	g := newFakeGateway(t, nil)
	st := o.newStream()
	st.AppKey, st.APIBase, st.Retry = "not-the-app", g.srv.URL, 20*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		g.mu.Lock()
		n := len(g.opens)
		g.mu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connections/open called %d times in 5s; want retries", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v; want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after ctx ended")
	}
	if _, err := st.OnMessage(context.Background(), streamData(t, o.message("cg-officer1", "帮助", ""))); err == nil {
		t.Errorf("OnMessage after Run returned: accepted; want refused so DingTalk delivers it again")
	}

	empty := o.newStream()
	empty.AppKey = ""
	if err := empty.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "dingtalk.app_key") {
		t.Errorf("Run without credentials = %v; want an error naming dingtalk.app_key", err)
	}
}
