package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"minsheng/bot"
	"minsheng/handlers"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// chatPlatform is a platform added the way a third one would be: only its
// bot.Inbound, handed to handlers.Deps.Inbound.
const chatPlatform models.Platform = "chat"

// chatInbound reads form posts signed with a header; lost makes every
// answer fail in the conversation, as an expired DingTalk session does.
type chatInbound struct{ lost bool }

func (chatInbound) Name() models.Platform { return chatPlatform }

func (in chatInbound) Open(w http.ResponseWriter, r *http.Request) (*bot.Callback, error) {
	if r.Header.Get("X-Chat-Sign") != "good" {
		return nil, &bot.Rejection{Status: http.StatusForbidden, Body: "forbidden", Result: "unauthenticated"}
	}
	if err := r.ParseForm(); err != nil {
		return nil, &bot.Rejection{Status: http.StatusBadRequest, Body: "malformed", Result: "malformed", Err: err}
	}
	if r.PostForm.Get("event") == "typing" {
		return &bot.Callback{Ignore: true}, nil
	}
	m := bot.MemberMessage{Platform: chatPlatform, UserID: r.PostForm.Get("user"), MsgID: r.PostForm.Get("id"), Text: r.PostForm.Get("text")}
	return &bot.Callback{Message: m, Answer: func(_ context.Context, w http.ResponseWriter, reply bot.MemberReply) error {
		if in.lost {
			return fmt.Errorf("%w: chat session gone", bot.ErrUnanswered)
		}
		w.WriteHeader(http.StatusOK)
		_, err := io.WriteString(w, reply.Text)
		return err
	}}, nil
}

// chatServer serves a store with one dispatcher on the chat platform and the
// chat platform's callback.
func chatServer(t *testing.T, s *models.Store, in chatInbound) (*httptest.Server, uint64) {
	t.Helper()
	ctx := context.Background()
	members := []models.Member{{Name: "王问政", UserID: "d1", Platform: chatPlatform, Role: models.RoleDispatcher}}
	modeltest.Must(t, s.SyncOrg(ctx, nil, members, []string{""}), "sync org")
	cal, err := models.NewCalendar(nil)
	modeltest.Must(t, err, "calendar")
	b := &bot.Bot{Store: s, Calendar: cal}
	srv := httptest.NewServer(handlers.New(handlers.Deps{
		Store: s, Bot: b, Metrics: handlers.NewMetrics(s), Inbound: []bot.Inbound{in},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}))
	t.Cleanup(srv.Close)
	var id uint64
	modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
		m, err := tx.Member(chatPlatform, "d1")
		if err == nil {
			id = m.ID
		}
		return err
	}), "find member")
	return srv, id
}

func postChat(t *testing.T, srv *httptest.Server, sign string, form url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/callback/chat", strings.NewReader(form.Encode()))
	modeltest.Must(t, err, "request")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Chat-Sign", sign)
	resp, err := http.DefaultClient.Do(req)
	modeltest.Must(t, err, "post")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A platform that brings only its Inbound gets /callback/<name>: its
// members' commands reach the bot and the answer comes back its way; what
// it refuses or ignores leaves nothing behind.
func TestCallbackOfAnotherPlatform(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		srv, _ := chatServer(t, s, chatInbound{})
		status, body := postChat(t, srv, "good", url.Values{"user": {"d1"}, "id": {"m1"}, "text": {"帮助"}})
		if status != http.StatusOK || !strings.Contains(body, "待办") {
			t.Errorf("help over chat = %d %q; want 200 and the dispatcher's help", status, body)
		}
		before := stored(t, s)
		tests := []struct {
			name, sign string
			form       url.Values
			status     int
			body       string
		}{
			{"bad signature", "bad", url.Values{"user": {"d1"}, "id": {"m2"}, "text": {"帮助"}}, http.StatusForbidden, "forbidden"},
			{"ignored event", "good", url.Values{"event": {"typing"}}, http.StatusOK, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, body := postChat(t, srv, tt.sign, tt.form)
				if status != tt.status || body != tt.body {
					t.Errorf("POST /callback/chat = %d %q; want %d %q", status, body, tt.status, tt.body)
				}
			})
		}
		if after := stored(t, s); after != before {
			t.Errorf("refused and ignored callbacks left rows: %v -> %v", before, after)
		}
		resp, err := http.Get(srv.URL + "/callback/chat")
		modeltest.Must(t, err, "get")
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /callback/chat = %d; want 404 (the platform verifies no URL)", resp.StatusCode)
		}
	})
}

// A reply the platform cannot give in the conversation goes to the member
// 1:1 through the outbox.
func TestCallbackUnansweredGoesThroughOutbox(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		srv, id := chatServer(t, s, chatInbound{lost: true})
		status, _ := postChat(t, srv, "good", url.Values{"user": {"d1"}, "id": {"m1"}, "text": {"帮助"}})
		if status != http.StatusOK {
			t.Fatalf("POST /callback/chat = %d; want 200", status)
		}
		var rows []models.Outbox
		modeltest.Must(t, s.DB().Find(&rows).Error, "outbox")
		if len(rows) != 1 || rows[0].Platform != chatPlatform || rows[0].Target != models.MemberTarget(id).String() || rows[0].Kind != "reply" {
			t.Fatalf("outbox = %+v; want one reply to member %d on chat", rows, id)
		}
		out, err := bot.DecodeOutgoing(rows[0].Payload)
		if err != nil || !strings.Contains(out.Text, "待办") {
			t.Errorf("queued reply = %q, %v; want the dispatcher's help", out.Text, err)
		}
	})
}
