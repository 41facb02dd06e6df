package mp

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
)

// Tencent's published test vectors.
//
// The Official Account sample (cryptoDemo, Java WXBizMsgCryptTest): token
// "pamtest", fixed random "aaaabbbbccccdddd"; it publishes the ciphertexts
// but no fixed msg_signature (its msg_signature test uses a random nonce).
const (
	pamKey    = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	pamAppID  = "wxb11529c136998cb6"
	pamToken  = "pamtest"
	pamTS     = "1409304348"
	pamNonce  = "xxxxxx"
	pamRandom = "aaaabbbbccccdddd"
	pamMsg1   = "我是中文abcd123"
	pamEnc1   = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
	pamMsg2   = "<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>"
	pamEnc2   = "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb"
)

// The Official Account Python sample (cryptoDemo, Sample.py): a compatible-
// mode callback with its msg_signature; the published body carries the
// plaintext fields beside Encrypt, so the decryption is checked against them.
const (
	spamToken = "spamtest"
	spamAppID = "wx2c2769f8efd9abc2"
	spamTS    = "1409735669"
	spamNonce = "1320562132"
	spamSig   = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
	spamEnc   = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)

// The WeCom C# sample (same algorithm, the CorpID in place of the AppID),
// with its published plaintext.
const (
	wecomToken = "QDG6eK"
	wecomCorp  = "wx5823bf96d3bd56c7"
	wecomKey   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	wecomTS    = "1409659813"
	wecomNonce = "1372623149"
	wecomSig   = "477715d11cdb4164915debcba66cb864d751f3e6"
	wecomEnc   = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
	wecomPlain = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>"
)

func TestSignatureGolden(t *testing.T) {
	tests := []struct {
		name                    string
		token, timestamp, nonce string
		extra                   []string
		want                    string
	}{
		{"mp msg_signature", spamToken, spamTS, spamNonce, []string{spamEnc}, spamSig},
		{"wecom msg_signature", wecomToken, wecomTS, wecomNonce, []string{wecomEnc}, wecomSig},
		{"plain signature", "789", "456", "123", nil, "f7c3bc1d808e04732adf679965ccc34ca7ae3441"},
		{"plain signature spamtest", spamToken, spamTS, spamNonce, nil, "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Signature(tt.token, tt.timestamp, tt.nonce, tt.extra...); got != tt.want {
				t.Errorf("Signature(%q, %q, %q, …) = %s; want %s", tt.token, tt.timestamp, tt.nonce, got, tt.want)
			}
			if !ValidSignature(tt.want, tt.token, tt.timestamp, tt.nonce, tt.extra...) {
				t.Errorf("ValidSignature(%s, …) = false", tt.want)
			}
			if ValidSignature(tt.want, tt.token+"x", tt.timestamp, tt.nonce, tt.extra...) {
				t.Errorf("ValidSignature with another token = true")
			}
		})
	}
	// Order of the arguments does not matter: they are sorted.
	if a, b := Signature("a", "b", "c", "d"), Signature("d", "c", "b", "a"); a != b {
		t.Errorf("Signature is order-dependent: %s != %s", a, b)
	}
}

func TestEncryptGolden(t *testing.T) {
	tests := []struct{ name, msg, want string }{
		{"short", pamMsg1, pamEnc1},
		{"reply xml", pamMsg2, pamEnc2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encrypt(pamAppID, pamKey, []byte(pamRandom), []byte(tt.msg))
			if err != nil {
				t.Fatalf("Encrypt: %v", err)
			}
			if got != tt.want {
				t.Errorf("Encrypt(%q) = %s; want %s", tt.msg, got, tt.want)
			}
			plain, err := Decrypt(pamAppID, pamKey, tt.want)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if string(plain) != tt.msg {
				t.Errorf("Decrypt = %q; want %q", plain, tt.msg)
			}
		})
	}
}

func TestDecryptGolden(t *testing.T) {
	t.Run("mp sample", func(t *testing.T) {
		plain, err := Decrypt(spamAppID, pamKey, spamEnc)
		if err != nil {
			t.Fatalf("Decrypt: %v", err)
		}
		m, err := ParseMessage(plain)
		if err != nil {
			t.Fatalf("ParseMessage(%q): %v", plain, err)
		}
		// The plaintext fields published beside Encrypt in the sample.
		want := Message{ToUser: "gh_10f6c3c3ac5a", FromUser: "oyORnuP8q7ou2gfYjqLzSIWZf0rs", CreateTime: 1409735668,
			MsgType: "text", Content: "abcdteT", MsgID: 6054768590064713728}
		if m != want {
			t.Errorf("decrypted message = %+v; want %+v", m, want)
		}
	})
	t.Run("wecom sample", func(t *testing.T) {
		plain, err := Decrypt(wecomCorp, wecomKey, wecomEnc)
		if err != nil {
			t.Fatalf("Decrypt: %v", err)
		}
		if string(plain) != wecomPlain {
			t.Errorf("Decrypt = %q; want %q", plain, wecomPlain)
		}
	})
}

func TestEncryptDecryptRoundTrip(t *testing.T) {
	random := []byte("0123456789abcdef")
	tests := []struct {
		name  string
		appID string
		msg   []byte
	}{
		{"empty", pamAppID, nil},
		{"one byte", pamAppID, []byte("x")},
		{"content fills 64, full pad block", pamAppID, bytes.Repeat([]byte("a"), 64-20-len(pamAppID))},
		{"one over 64", pamAppID, bytes.Repeat([]byte("a"), 65-20-len(pamAppID))},
		{"chinese", pamAppID, []byte("您反映的问题已由我单位受理，将尽快给您回复")},
		{"binary", pamAppID, []byte{0, 1, 2, 0xff, 0xfe, 32, 32, 32}},
		{"big", pamAppID, bytes.Repeat([]byte("民声"), 100000)},
		{"empty appid", "", []byte("<xml/>")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := Encrypt(tt.appID, pamKey, random, tt.msg)
			if err != nil {
				t.Fatalf("Encrypt: %v", err)
			}
			raw, _ := base64.StdEncoding.DecodeString(enc)
			if len(raw)%32 != 0 {
				t.Errorf("ciphertext is %d bytes; want a multiple of 32", len(raw))
			}
			got, err := Decrypt(tt.appID, pamKey, enc)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if !bytes.Equal(got, tt.msg) {
				t.Errorf("Decrypt(Encrypt(%.40q)) = %.40q", tt.msg, got)
			}
			// A fresh random prefix gives a different ciphertext, same plaintext.
			enc2, err := Encrypt(tt.appID, pamKey, nil, tt.msg)
			if err != nil {
				t.Fatalf("Encrypt(nil random): %v", err)
			}
			if enc2 == enc {
				t.Error("Encrypt with a random prefix gave the fixed-prefix ciphertext")
			}
			if got, err := Decrypt(tt.appID, pamKey, enc2); err != nil || !bytes.Equal(got, tt.msg) {
				t.Errorf("Decrypt(Encrypt(random)) = %.40q, %v", got, err)
			}
		})
	}
}

func TestEncryptErrors(t *testing.T) {
	if _, err := Encrypt(pamAppID, pamKey, []byte("short"), []byte("x")); err == nil {
		t.Error("Encrypt with a 5-byte random prefix succeeded")
	}
	if _, err := Encrypt(pamAppID, "short", nil, []byte("x")); err == nil {
		t.Error("Encrypt with a bad key succeeded")
	}
}

// rawCipher encrypts the exact bytes content (already padded or not) with the
// sample key, to build malformed ciphertexts.
func rawCipher(t *testing.T, content []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(pamKey + "=")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	buf := bytes.Clone(content)
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf)
}

// frame lays out random + length field + msg + appID + padding with the given
// pad byte and count.
func frame(lenField uint32, msg, appID string, padByte byte, padCount int) []byte {
	b := make([]byte, 16, 64)
	b = binary.BigEndian.AppendUint32(b, lenField)
	b = append(b, msg...)
	b = append(b, appID...)
	return append(b, bytes.Repeat([]byte{padByte}, padCount)...)
}

func TestDecryptMalformed(t *testing.T) {
	// good: 16+4+5+18 = 43 bytes, padded with 21 to 64.
	good := frame(5, "hello", pamAppID, 21, 21)
	if got, err := Decrypt(pamAppID, pamKey, rawCipher(t, good)); err != nil || string(got) != "hello" {
		t.Fatalf("control frame: Decrypt = %q, %v", got, err)
	}
	tests := []struct {
		name, appID, key, b64 string
		wantErr               string
	}{
		{"bad key length", pamAppID, "abc", pamEnc1, "want 43"},
		{"bad key alphabet", pamAppID, strings.Repeat("*", 43), pamEnc1, "invalid EncodingAESKey"},
		{"malformed ciphertext: base64", pamAppID, pamKey, "not base64!", "malformed ciphertext: base64"},
		{"truncated base64", pamAppID, pamKey, pamEnc1[:len(pamEnc1)-3], "malformed ciphertext: base64"},
		{"empty", pamAppID, pamKey, "", "not whole AES blocks"},
		{"not a block multiple", pamAppID, pamKey, base64.StdEncoding.EncodeToString(make([]byte, 40)), "not whole AES blocks"},
		{"one byte", pamAppID, pamKey, base64.StdEncoding.EncodeToString([]byte{1}), "not whole AES blocks"},
		{"pad zero", pamAppID, pamKey, rawCipher(t, frame(5, "hello", pamAppID, 0, 21)), "bad padding"},
		{"pad over 32", pamAppID, pamKey, rawCipher(t, append(frame(5, "hello", pamAppID, 0, 0), bytes.Repeat([]byte{33}, 53)...)), "bad padding"},
		{"pad bytes differ", pamAppID, pamKey, rawCipher(t, append(frame(5, "hello", pamAppID, 7, 20), 21)), "bad padding"},
		{"pad longer than data", pamAppID, pamKey, rawCipher(t, bytes.Repeat([]byte{32}, 16)), "bad padding"},
		{"content under 20 bytes", pamAppID, pamKey, rawCipher(t, append(make([]byte, 16), bytes.Repeat([]byte{16}, 16)...)), "too short"},
		{"length field past end", pamAppID, pamKey, rawCipher(t, frame(100, "hello", pamAppID, 21, 21)), "length field 100"},
		{"length field huge", pamAppID, pamKey, rawCipher(t, frame(0xffffffff, "hello", pamAppID, 21, 21)), "length field 4294967295"},
		{"appid mismatch", "wx0000000000000000", pamKey, rawCipher(t, good), "AppID or corp id"},
		{"appid truncated by length", pamAppID, pamKey, rawCipher(t, frame(6, "hello", pamAppID, 21, 21)), "AppID or corp id"},
		{"wrong key", pamAppID, wecomKey, pamEnc1, ""},
		{"other account", pamAppID, pamKey, spamEnc, ""},
		{"tampered", pamAppID, pamKey, "A" + pamEnc2[1:], ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decrypt(tt.appID, tt.key, tt.b64)
			if err == nil {
				t.Fatalf("Decrypt = %q, nil; want an error", got)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Decrypt error = %q; want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestValidAESKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
	}{
		{pamKey, true},
		{wecomKey, true},
		{"", false},
		{pamKey[:42], false},
		{pamKey + "H", false},
		{strings.Repeat("=", 43), false},
		{"abcdefghijklmnopqrstuvwxyz0123456789ABCDE-G", false},
	}
	for _, tt := range tests {
		if err := ValidAESKey(tt.key); (err == nil) != tt.ok {
			t.Errorf("ValidAESKey(%q) = %v; want ok=%v", tt.key, err, tt.ok)
		}
	}
}

// FuzzDecrypt feeds Decrypt arbitrary base64 text, and arbitrary plaintext
// frames encrypted with the right key, which reach the padding, length and
// AppID checks.
func FuzzDecrypt(f *testing.F) {
	f.Add(pamEnc1, []byte(nil))
	f.Add(pamEnc2, []byte(nil))
	f.Add(spamEnc, []byte(nil))
	f.Add("", frame(5, "hello", pamAppID, 21, 21))
	f.Add("AAAA", frame(0, "", pamAppID, 26, 26))
	f.Add(base64.StdEncoding.EncodeToString(make([]byte, 32)), frame(0xffffffff, "hello", pamAppID, 21, 21))
	f.Fuzz(func(t *testing.T, b64 string, content []byte) {
		inputs := []string{b64}
		if len(content) > 0 {
			padded := append(bytes.Clone(content), make([]byte, (16-len(content)%16)%16)...)
			inputs = append(inputs, rawCipher(t, padded))
		}
		for _, in := range inputs {
			plain, err := Decrypt(pamAppID, pamKey, in)
			if err != nil {
				continue
			}
			enc, err := Encrypt(pamAppID, pamKey, nil, plain)
			if err != nil {
				t.Fatalf("Encrypt(Decrypt(x)): %v", err)
			}
			again, err := Decrypt(pamAppID, pamKey, enc)
			if err != nil || !bytes.Equal(again, plain) {
				t.Fatalf("round trip of decrypted %q = %q, %v", plain, again, err)
			}
		}
	})
}
