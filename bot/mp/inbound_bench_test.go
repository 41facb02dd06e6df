package mp

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"minsheng/bot"
)

// BenchmarkInboundServe is the Official Account callback's own cost, from
// the signed, encrypted request to the sealed reply, without the bot: what
// every citizen message costs before the database.
func BenchmarkInboundServe(b *testing.B) {
	in := &Inbound{AppID: testAppID, AppSecret: "secret", Token: testToken, EncodingAESKey: testKey, Window: time.Hour, MaxBody: MaxBody}
	d := &Driver{AppID: testAppID, Token: testToken, EncodingAESKey: testKey, Safe: true}
	m := d.Fill(Message{ToUser: testGH, FromUser: "oCitizen0001", MsgType: "text", Content: "解放路12号附近的路灯不亮了，已经三天了，请尽快处理。"})
	q, body, err := d.Prepare(m)
	if err != nil {
		b.Fatal(err)
	}
	u := &url.URL{Path: "/callback/mp", RawQuery: q.Encode()}
	handle := func(context.Context, bot.CitizenMessage) string {
		return "您反映的问题已由我单位受理，将尽快给您回复。\n编号：20261203001"
	}
	var w *httptest.ResponseRecorder
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, u.String(), bytes.NewReader(body))
		r.Header.Set("Content-Type", "text/xml")
		w = httptest.NewRecorder()
		if err := in.Serve(w, r, handle); err != nil {
			b.Fatal(err)
		}
	}
	// WeChat's side: the last reply opens and answers the citizen.
	if _, err := d.Check(m, w.Code, w.Body.Bytes()); err != nil {
		b.Fatal(err)
	}
}
