package mp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"minsheng/bot"
	"minsheng/bot/wxcrypto"
	"minsheng/models"
)

// Inbound reads the Official Account's callbacks (消息推送): it checks the
// URL signature and the timestamp window itself, opens the safe-mode
// envelope, and lets github.com/silenceper/wechat's server parse the message
// and write the passive reply. It implements bot.CitizenInbound.
type Inbound struct {
	AppID, AppSecret, Token, EncodingAESKey string
	// Window is how far a callback's timestamp may be from now.
	Window time.Duration
	// MaxBody caps the request body.
	MaxBody int64
	// AllowPlaintext accepts plaintext callbacks although EncodingAESKey is
	// set (config mp.allow_plaintext).
	AllowPlaintext bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	once sync.Once
	oa   *officialaccount.OfficialAccount
}

// Name returns the platform's name.
func (in *Inbound) Name() models.Platform { return models.PlatformMP }

func (in *Inbound) now() time.Time {
	if in.Now == nil {
		return time.Now()
	}
	return in.Now()
}

func (in *Inbound) account() *officialaccount.OfficialAccount {
	in.once.Do(func() {
		in.oa = officialaccount.NewOfficialAccount(&oaconfig.Config{
			AppID: in.AppID, AppSecret: in.AppSecret, Token: in.Token,
			EncodingAESKey: in.EncodingAESKey, Cache: cache.NewMemory(),
		})
	})
	return in.oa
}

// errUnauthenticated means the request did not come from WeChat.
var errUnauthenticated = errors.New("callback signature or timestamp rejected")

// authenticate checks the URL signature and the timestamp window.
func (in *Inbound) authenticate(q url.Values) error {
	ts, nonce, sig := q.Get("timestamp"), q.Get("nonce"), q.Get("signature")
	if ts == "" || nonce == "" || sig == "" {
		return fmt.Errorf("%w: signature, timestamp or nonce missing", errUnauthenticated)
	}
	if !ValidSignature(sig, in.Token, ts, nonce) {
		return fmt.Errorf("%w: bad signature", errUnauthenticated)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q is not a number", errUnauthenticated, ts)
	}
	if d := in.now().Sub(time.Unix(sec, 0)); d > in.Window || d < -in.Window {
		return fmt.Errorf("%w: timestamp off by %s", errUnauthenticated, d.Round(time.Second))
	}
	return nil
}

// Verify answers WeChat's URL verification (a GET with echostr).
func (in *Inbound) Verify(r *http.Request) ([]byte, error) {
	if err := in.authenticate(r.URL.Query()); err != nil {
		return nil, &bot.Rejection{Status: http.StatusForbidden, Body: "forbidden", Result: "unauthenticated"}
	}
	return []byte(r.URL.Query().Get("echostr")), nil
}

// ErrReplyNotSent means the message was handled but the passive reply could
// not be written.
var ErrReplyNotSent = errors.New("mp reply not sent")

// Serve reads one message or event push: the body within MaxBody, the
// signature and window, an XML content type, the safe-mode envelope and the
// message itself are checked before handle runs; handle's text is the
// passive reply ("" for none).
func (in *Inbound) Serve(w http.ResponseWriter, r *http.Request, handle func(context.Context, bot.CitizenMessage) string) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, in.MaxBody))
	if err != nil {
		return &bot.Rejection{Status: http.StatusRequestEntityTooLarge, Body: "body too large", Result: "too_large"}
	}
	q := r.URL.Query()
	if err := in.authenticate(q); err != nil {
		return &bot.Rejection{Status: http.StatusForbidden, Body: "forbidden", Result: "unauthenticated", Err: err}
	}
	if !wxcrypto.XMLContentType(r.Header.Get("Content-Type")) {
		return &bot.Rejection{Status: http.StatusUnsupportedMediaType, Body: "want text/xml", Result: "bad_content_type"}
	}
	plain, status, err := in.open(q, body)
	if err != nil {
		return &bot.Rejection{Status: status, Body: http.StatusText(status), Result: "rejected", Err: err}
	}
	if _, err := ParseMessage(plain); err != nil {
		return &bot.Rejection{Status: http.StatusBadRequest, Body: "malformed message", Result: "malformed", Err: fmt.Errorf("malformed: %w", err)}
	}

	// github.com/silenceper/wechat's server reads the message and builds
	// the passive reply. It is handed the message as it would come in
	// 明文模式: the checks above (signature, window, envelope, decryption)
	// are not done twice, and the reply is sealed below as WeChat expects
	// it in safe mode.
	pr := r.Clone(r.Context())
	pr.Body = io.NopCloser(bytes.NewReader(plain))
	pr.URL.RawQuery = ""
	var out replyBuffer
	srv := in.account().GetServer(pr, &out)
	srv.SkipValidate(true)
	srv.SetMessageHandler(func(msg *message.MixMessage) *message.Reply {
		reply := handle(r.Context(), citizenMessage(msg))
		if reply == "" {
			return nil
		}
		return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(reply)}
	})
	if err := srv.Serve(); err != nil {
		return &bot.Rejection{Status: http.StatusBadRequest, Body: "malformed message", Result: "malformed", Err: fmt.Errorf("not served: %w", err)}
	}
	// The reply as the library built it (its Send would marshal it again).
	if err := in.write(w, q, srv.ResponseRawXMLMsg, out.Bytes()); err != nil {
		return fmt.Errorf("%w: %w", ErrReplyNotSent, err)
	}
	return nil
}

// write sends the passive reply, reply (plaintext XML; nil for none). In
// safe mode a reply is sealed with the callback's own timestamp and nonce,
// and none is an empty body; in 明文模式 none is what the library wrote,
// "success".
func (in *Inbound) write(w http.ResponseWriter, q url.Values, reply, wrote []byte) error {
	switch {
	case reply == nil && q.Get("encrypt_type") == "aes":
		w.WriteHeader(http.StatusOK)
		return nil
	case reply == nil:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		reply = wrote
	case q.Get("encrypt_type") == "aes":
		sealed, err := EncryptReply(in.Token, in.AppID, in.EncodingAESKey, q.Get("timestamp"), q.Get("nonce"), reply)
		if err != nil {
			return err
		}
		reply = sealed
		fallthrough
	default:
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	}
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(reply)
	return err
}

// replyBuffer is the http.ResponseWriter the library writes its reply into.
type replyBuffer struct {
	bytes.Buffer
	header http.Header
}

func (b *replyBuffer) Header() http.Header {
	if b.header == nil {
		b.header = http.Header{}
	}
	return b.header
}

func (b *replyBuffer) WriteHeader(int) {}

// citizenMessage is msg as the bot reads it.
func citizenMessage(msg *message.MixMessage) bot.CitizenMessage {
	return bot.CitizenMessage{
		Platform: string(models.PlatformMP), OpenID: string(msg.FromUserName), MsgID: msg.MsgID,
		CreateTime: msg.CreateTime, MsgType: string(msg.MsgType), Content: msg.Content,
		PicURL: msg.PicURL, MediaID: msg.MediaID, Format: msg.Format, Recognition: msg.Recognition,
		Latitude: msg.LocationX, Longitude: msg.LocationY, Scale: zoom(msg.Scale), Label: msg.Label,
		Event: string(msg.Event), EventKey: msg.EventKey,
	}
}

// open checks the safe-mode envelope's msg_signature and decrypts it. A
// plaintext body is returned as it is when the account has no AES key
// (明文模式) or AllowPlaintext is on, and refused otherwise.
func (in *Inbound) open(q url.Values, body []byte) ([]byte, int, error) {
	if q.Get("encrypt_type") != "aes" {
		if in.EncodingAESKey != "" && !in.AllowPlaintext {
			// Only the URL is signed: the body could be anyone's.
			return nil, http.StatusForbidden, fmt.Errorf("%w: plaintext callback while mp.encoding_aes_key is set (mp.allow_plaintext is off)", errUnauthenticated)
		}
		return body, 0, nil
	}
	if in.EncodingAESKey == "" {
		return nil, http.StatusBadRequest, errors.New("safe mode message but no mp.encoding_aes_key configured")
	}
	env, err := ParseEnvelope(body)
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("safe mode envelope: %w", err)
	}
	if !ValidSignature(q.Get("msg_signature"), in.Token, q.Get("timestamp"), q.Get("nonce"), env.Encrypt) {
		return nil, http.StatusForbidden, fmt.Errorf("%w: bad msg_signature", errUnauthenticated)
	}
	plain, err := Decrypt(in.AppID, in.EncodingAESKey, env.Encrypt)
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("decrypt: %w", err)
	}
	return plain, 0, nil
}

// zoom is the map's zoom level as the case keeps it: WeChat's Scale, a
// number that may carry decimals, rounded to a whole level in 0..30.
func zoom(scale float64) int {
	if math.IsNaN(scale) || scale < 0 {
		return 0
	}
	return int(math.Round(min(scale, 30)))
}
