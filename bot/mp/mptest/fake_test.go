package mptest

import (
	"encoding/json"
	"io"
	"minsheng/bot/mp"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	apiAppID  = "wxapp0000000001"
	apiSecret = "s3cr3t-s3cr3t"
	citizen   = "o_citizen_1"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// call makes one raw request to the fake and decodes the JSON answer.
func call(t *testing.T, srv *httptest.Server, method, path, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("%s %s: status %d, type %q, body %q", method, path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s %s: body %q: %v", method, path, b, err)
	}
	return out
}

func errcode(m map[string]any) int {
	f, _ := m["errcode"].(float64)
	return int(f)
}

func TestFakeAPIProtocol(t *testing.T) {
	fake := NewFakeAPI(apiAppID, apiSecret)
	fake.Touch(citizen, time.Now())
	srv := httptest.NewServer(fake)
	defer srv.Close()

	tokenQuery := func(grant, appid, secret string) string {
		return "/cgi-bin/token?" + url.Values{"grant_type": {grant}, "appid": {appid}, "secret": {secret}}.Encode()
	}
	got := call(t, srv, "GET", tokenQuery("client_credential", apiAppID, apiSecret), "")
	token, _ := got["access_token"].(string)
	if token == "" || got["expires_in"] != float64(7200) || got["errcode"] != nil {
		t.Fatalf("token = %v", got)
	}
	stable := call(t, srv, "POST", "/cgi-bin/stable_token", `{"grant_type":"client_credential","appid":"`+apiAppID+`","secret":"`+apiSecret+`"}`)
	stable2 := call(t, srv, "POST", "/cgi-bin/stable_token", `{"grant_type":"client_credential","appid":"`+apiAppID+`","secret":"`+apiSecret+`"}`)
	forced := call(t, srv, "POST", "/cgi-bin/stable_token", `{"grant_type":"client_credential","appid":"`+apiAppID+`","secret":"`+apiSecret+`","force_refresh":true}`)
	if stable["access_token"] == nil || stable["access_token"] != stable2["access_token"] || forced["access_token"] == stable["access_token"] {
		t.Errorf("stable_token = %v, %v, forced %v; want the same token twice, then a new one", stable, stable2, forced)
	}

	send := `{"touser":"` + citizen + `","msgtype":"text","text":{"content":"hi"}}`
	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"token wrong appid", "GET", tokenQuery("client_credential", "wxnope", apiSecret), "", mp.CodeInvalidAppID},
		{"token wrong secret", "GET", tokenQuery("client_credential", apiAppID, "nope"), "", mp.CodeInvalidAppSecret},
		{"token wrong grant", "GET", tokenQuery("password", apiAppID, apiSecret), "", mp.CodeInvalidGrantType},
		{"token by POST", "POST", tokenQuery("client_credential", apiAppID, apiSecret), "", mp.CodeRequireGET},
		{"stable_token wrong secret", "POST", "/cgi-bin/stable_token", `{"grant_type":"client_credential","appid":"` + apiAppID + `","secret":"x"}`, mp.CodeInvalidAppSecret},
		{"stable_token bad json", "POST", "/cgi-bin/stable_token", `{`, mp.CodeDataFormat},
		{"send by GET", "GET", "/cgi-bin/message/custom/send?access_token=" + token, "", mp.CodeRequirePOST},
		{"send without token", "POST", "/cgi-bin/message/custom/send", send, mp.CodeTokenMissing},
		{"send with unknown token", "POST", "/cgi-bin/message/custom/send?access_token=nope", send, mp.CodeInvalidCredential},
		{"send empty body", "POST", "/cgi-bin/message/custom/send?access_token=" + token, "", mp.CodeEmptyPostData},
		{"send bad json", "POST", "/cgi-bin/message/custom/send?access_token=" + token, "{", mp.CodeDataFormat},
		{"send image", "POST", "/cgi-bin/message/custom/send?access_token=" + token, `{"touser":"` + citizen + `","msgtype":"image"}`, mp.CodeInvalidMsgType},
		{"send empty text", "POST", "/cgi-bin/message/custom/send?access_token=" + token, `{"touser":"` + citizen + `","msgtype":"text","text":{}}`, mp.CodeEmptyContent},
		{"send to stranger", "POST", "/cgi-bin/message/custom/send?access_token=" + token, `{"touser":"o_x","msgtype":"text","text":{"content":"hi"}}`, mp.CodeInvalidOpenID},
		{"send ok", "POST", "/cgi-bin/message/custom/send?access_token=" + token, send, mp.CodeOK},
		{"template unknown", "POST", "/cgi-bin/message/template/send?access_token=" + token, `{"touser":"` + citizen + `","template_id":"nope"}`, mp.CodeInvalidTemplateID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := call(t, srv, tt.method, tt.path, tt.body)
			if errcode(got) != tt.want {
				t.Errorf("errcode = %v; want %d", got, tt.want)
			}
			msg, _ := got["errmsg"].(string)
			if tt.want != mp.CodeOK && !strings.HasPrefix(msg, errMsgs[tt.want]) {
				t.Errorf("errmsg = %q; want WeChat's %q", msg, errMsgs[tt.want])
			}
			if tt.want == mp.CodeOK && msg != "ok" {
				t.Errorf("errmsg = %q; want ok", msg)
			}
		})
	}

	fake.ExpireTokens()
	if got := call(t, srv, "POST", "/cgi-bin/message/custom/send?access_token="+token, send); errcode(got) != mp.CodeTokenExpired {
		t.Errorf("send after ExpireTokens = %v; want 42001", got)
	}
	if n := fake.Calls("/cgi-bin/token"); n != 5 {
		t.Errorf("Calls(/cgi-bin/token) = %d; want 5", n)
	}

	resp, err := srv.Client().Get(srv.URL + "/cgi-bin/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: status %d; want 404", resp.StatusCode)
	}
}

func TestFakeAPITokenTTL(t *testing.T) {
	clk := &clock{now: time.Unix(1700000000, 0)}
	fake := NewFakeAPI(apiAppID, apiSecret)
	fake.Now, fake.TokenTTL = clk.Now, time.Minute
	fake.Touch(citizen, clk.Now())
	srv := httptest.NewServer(fake)
	defer srv.Close()
	got := call(t, srv, "GET", "/cgi-bin/token?grant_type=client_credential&appid="+apiAppID+"&secret="+apiSecret, "")
	if got["expires_in"] != float64(60) {
		t.Errorf("expires_in = %v; want 60", got["expires_in"])
	}
	send := func() int {
		return errcode(call(t, srv, "POST", "/cgi-bin/message/custom/send?access_token="+got["access_token"].(string),
			`{"touser":"`+citizen+`","msgtype":"text","text":{"content":"hi"}}`))
	}
	clk.Add(59 * time.Second)
	if c := send(); c != mp.CodeOK {
		t.Errorf("send at 59s = %d; want 0", c)
	}
	clk.Add(time.Second)
	if c := send(); c != mp.CodeTokenExpired {
		t.Errorf("send at 60s = %d; want 42001", c)
	}
}
