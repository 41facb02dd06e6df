package wecom

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/url"
	"testing"
)

// FuzzOpenCallback feeds arbitrary bodies and query parameters to
// OpenCallback. It must never panic, must only fail with ErrSignature or
// ErrMalformed, and whatever it accepts must carry a valid signature.
func FuzzOpenCallback(f *testing.F) {
	f.Add([]byte(samplePostBody), samplePostSig, samplePostTS, samplePostNonce)
	f.Add([]byte(samplePostBody), "", samplePostTS, samplePostNonce)
	f.Add([]byte("<xml><Encrypt></Encrypt></xml>"), samplePostSig, samplePostTS, samplePostNonce)
	f.Add([]byte("<!DOCTYPE x><xml/>"), "a", "b", "c")
	f.Add([]byte("<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>"), Signature(sampleToken, "1", "2", "AAAA"), "1", "2")
	enc, _ := Encrypt(sampleCorpID, sampleAESKey, make([]byte, 16), []byte(sampleCardEvent))
	body := "<xml><ToUserName><![CDATA[" + sampleCorpID + "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	f.Add([]byte(body), Signature(sampleToken, "7", "8", enc), "7", "8")

	f.Fuzz(func(t *testing.T, body []byte, sig, ts, nonce string) {
		q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
		plain, err := OpenCallback(sampleToken, sampleAESKey, sampleCorpID, q, body)
		if err != nil {
			if !errors.Is(err, ErrSignature) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("OpenCallback error %v wraps neither ErrSignature nor ErrMalformed", err)
			}
			return
		}
		var env envelope
		if e := xml.Unmarshal(body, &env); e != nil || !signatureOK(sig, sampleToken, ts, nonce, env.Encrypt) {
			t.Fatalf("OpenCallback accepted a body whose signature does not check: %q", body)
		}
		if _, err := ParseEvent(plain); err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("ParseEvent error %v does not wrap ErrMalformed", err)
		}
	})
}

// FuzzParseEvent feeds arbitrary plaintext to ParseEvent: no panics, only
// ErrMalformed, and what parses keeps the required fields.
func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(samplePostPlain))
	f.Add([]byte(sampleCardEvent))
	f.Add(UpdateButtonReply("a", "b", 1, "c"))
	f.Add([]byte("<xml><MsgType>event</MsgType><FromUserName>a</FromUserName><Event>enter_agent</Event></xml>"))
	f.Add([]byte("<xml><MsgType>text</MsgType><FromUserName>a</FromUserName><CreateTime>99999999999999999999</CreateTime></xml>"))
	f.Add([]byte("<!DOCTYPE xml><xml/>"))
	f.Add([]byte("<xml><SelectedItems><SelectedItem><OptionIds><OptionId>1</OptionId></OptionIds></SelectedItem></SelectedItems></xml>"))

	f.Fuzz(func(t *testing.T, plain []byte) {
		ev, err := ParseEvent(plain)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseEvent error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if ev.MsgType == "" || ev.FromUserName == "" || (ev.MsgType == MsgTypeEvent && ev.Event == "") {
			t.Fatalf("ParseEvent(%q) = %+v without its required fields", plain, ev)
		}
	})
}

// FuzzDecrypt checks that Decrypt never panics and that Encrypt round-trips.
func FuzzDecrypt(f *testing.F) {
	f.Add(samplePostEncrypt, []byte("hello"))
	f.Add(sampleEchoStr, []byte{})
	f.Add("AAAAAAAAAAAAAAAAAAAAAA==", []byte("]]>"))
	f.Fuzz(func(t *testing.T, b64 string, msg []byte) {
		if _, err := Decrypt(sampleCorpID, sampleAESKey, b64); err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("Decrypt error %v does not wrap ErrMalformed", err)
		}
		enc, err := Encrypt(sampleCorpID, sampleAESKey, nil, msg)
		if err != nil {
			t.Fatalf("Encrypt: %v", err)
		}
		got, err := Decrypt(sampleCorpID, sampleAESKey, enc)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("Decrypt(Encrypt(%q)) = %q, %v", msg, got, err)
		}
	})
}
