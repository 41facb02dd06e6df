package wecom

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// Tencent's published WXBizMsgCrypt sample (企业微信 加解密方案说明, 举例说明, and
// the Sample files shipped with the official libraries).
const (
	sampleToken  = "QDG6eK"
	sampleCorpID = "wx5823bf96d3bd56c7"
	sampleAESKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

	// URL verification (GET).
	sampleVerifySig   = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	sampleVerifyTS    = "1409659589"
	sampleVerifyNonce = "263014780"
	sampleEchoStr     = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	sampleEchoPlain   = "1616140317555161061"

	// Message callback (POST).
	samplePostSig     = "477715d11cdb4164915debcba66cb864d751f3e6"
	samplePostTS      = "1409659813"
	samplePostNonce   = "1372623149"
	samplePostEncrypt = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
	samplePostBody    = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[" + samplePostEncrypt + "]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
	samplePostPlain   = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n" +
		"<FromUserName><![CDATA[mycreate]]></FromUserName>\n" +
		"<CreateTime>1409659813</CreateTime>\n" +
		"<MsgType><![CDATA[text]]></MsgType>\n" +
		"<Content><![CDATA[hello]]></Content>\n" +
		"<MsgId>4561255354251345929</MsgId>\n" +
		"<AgentID>218</AgentID>\n" +
		"</xml>"
)

func TestSignatureGolden(t *testing.T) {
	tests := []struct {
		name                      string
		timestamp, nonce, encrypt string
		want                      string
	}{
		{"VerifyURL", sampleVerifyTS, sampleVerifyNonce, sampleEchoStr, sampleVerifySig},
		{"Message", samplePostTS, samplePostNonce, samplePostEncrypt, samplePostSig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Signature(sampleToken, tt.timestamp, tt.nonce, tt.encrypt); got != tt.want {
				t.Errorf("Signature(%q, %q, %q, …) = %s; want %s", sampleToken, tt.timestamp, tt.nonce, got, tt.want)
			}
		})
	}
}

func TestDecryptGolden(t *testing.T) {
	tests := []struct {
		name, encrypt, want string
	}{
		{"EchoStr", sampleEchoStr, sampleEchoPlain},
		{"Message", samplePostEncrypt, samplePostPlain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decrypt(sampleCorpID, sampleAESKey, tt.encrypt)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("Decrypt = %q; want %q", got, tt.want)
			}
		})
	}
}

// TestEncryptGolden re-encrypts the sample message with the random prefix
// recovered from the published ciphertext and expects the published bytes.
func TestEncryptGolden(t *testing.T) {
	key, _ := base64.StdEncoding.DecodeString(sampleAESKey + "=")
	ct, _ := base64.StdEncoding.DecodeString(samplePostEncrypt)
	block, _ := aes.NewCipher(key)
	head := make([]byte, 16)
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(head, ct[:16])
	got, err := Encrypt(sampleCorpID, sampleAESKey, head, []byte(samplePostPlain))
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	if got != samplePostEncrypt {
		t.Errorf("Encrypt = %s; want the published ciphertext %s", got, samplePostEncrypt)
	}
}

func TestEncryptRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 11, 12, 13, 43, 44, 45, 1000, 4096} {
		msg := bytes.Repeat([]byte("民"), n/3+1)[:n]
		enc, err := Encrypt(sampleCorpID, sampleAESKey, nil, msg)
		if err != nil {
			t.Fatalf("Encrypt(%d bytes): %v", n, err)
		}
		raw, _ := base64.StdEncoding.DecodeString(enc)
		if len(raw)%32 != 0 {
			t.Errorf("Encrypt(%d bytes) gave %d bytes of ciphertext; want a multiple of 32", n, len(raw))
		}
		got, err := Decrypt(sampleCorpID, sampleAESKey, enc)
		if err != nil {
			t.Fatalf("Decrypt(Encrypt(%d bytes)): %v", n, err)
		}
		if !bytes.Equal(got, msg) {
			t.Errorf("Decrypt(Encrypt(%q)) = %q", msg, got)
		}
	}
}

func TestEncryptBadInput(t *testing.T) {
	if _, err := Encrypt(sampleCorpID, sampleAESKey, make([]byte, 15), []byte("x")); err == nil {
		t.Error("Encrypt with a 15-byte random prefix succeeded; want an error")
	}
	if _, err := Encrypt(sampleCorpID, "short", nil, []byte("x")); !errors.Is(err, ErrBadKey) {
		t.Errorf("Encrypt with a short key: %v; want ErrBadKey", err)
	}
}

// rawEncrypt encrypts plain (already padded by the caller) with the sample key.
func rawEncrypt(plain []byte) string {
	key, _ := base64.StdEncoding.DecodeString(sampleAESKey + "=")
	block, _ := aes.NewCipher(key)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out)
}

// frame builds random(16)+len+msg+id with the given declared length, padded
// with pad bytes of value padValue.
func frame(declared uint32, msg, id string, pad int, padValue byte) []byte {
	b := make([]byte, 16, 64)
	b = binary.BigEndian.AppendUint32(b, declared)
	b = append(b, msg...)
	b = append(b, id...)
	for range pad {
		b = append(b, padValue)
	}
	return b
}

func TestDecryptRejects(t *testing.T) {
	otherKey := "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	good, _ := Encrypt(sampleCorpID, sampleAESKey, nil, []byte("hello"))
	// 16 + 4 + 5 + 18 = 43 bytes of content; 21 bytes of padding make 64.
	tests := []struct {
		name    string
		key, id string
		b64     string
		want    error
	}{
		{"KeyTooShort", sampleAESKey[:42], sampleCorpID, good, ErrBadKey},
		{"KeyNotBase64", strings.Repeat("!", 43), sampleCorpID, good, ErrBadKey},
		{"Empty", sampleAESKey, sampleCorpID, "", ErrMalformed},
		{"NotBase64", sampleAESKey, sampleCorpID, "not base64!", ErrMalformed},
		{"NotWholeBlocks", sampleAESKey, sampleCorpID, base64.StdEncoding.EncodeToString(make([]byte, 20)), ErrMalformed},
		{"WrongKey", otherKey, sampleCorpID, good, ErrMalformed},
		{"WrongReceiveID", sampleAESKey, "wwsomeoneelse", good, ErrMalformed},
		{"EmptyReceiveIDWanted", sampleAESKey, "", good, ErrMalformed},
		{"Truncated", sampleAESKey, sampleCorpID, good[:len(good)-24] + "", ErrMalformed},
		{"PadZero", sampleAESKey, sampleCorpID, rawEncrypt(frame(5, "hello", sampleCorpID, 21, 0)), ErrMalformed},
		{"PadTooBig", sampleAESKey, sampleCorpID, rawEncrypt(frame(5, "hello", sampleCorpID, 21, 33)), ErrMalformed},
		{"PadInconsistent", sampleAESKey, sampleCorpID, rawEncrypt(append(frame(5, "hello", sampleCorpID, 20, 7), 21)), ErrMalformed},
		{"LengthTooBig", sampleAESKey, sampleCorpID, rawEncrypt(frame(500, "hello", sampleCorpID, 21, 21)), ErrMalformed},
		{"LengthHuge", sampleAESKey, sampleCorpID, rawEncrypt(frame(0xffffffff, "hello", sampleCorpID, 21, 21)), ErrMalformed},
		{"TooShort", sampleAESKey, sampleCorpID, rawEncrypt(bytes.Repeat([]byte{16}, 16)), ErrMalformed},
		{"OneBlockPad32", sampleAESKey, sampleCorpID, rawEncrypt(bytes.Repeat([]byte{32}, 32)), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decrypt(tt.id, tt.key, tt.b64)
			if !errors.Is(err, tt.want) {
				t.Errorf("Decrypt(%q, …) = %q, %v; want %v", tt.id, got, err, tt.want)
			}
		})
	}
}

func TestDecryptAcceptsSixteenBytePadding(t *testing.T) {
	// Some third-party encoders pad to 16 bytes; the value is still valid PKCS#7.
	b := frame(5, "hello", sampleCorpID, 0, 0) // 43 bytes
	b = append(b, bytes.Repeat([]byte{5}, 5)...)
	got, err := Decrypt(sampleCorpID, sampleAESKey, rawEncrypt(b))
	if err != nil || string(got) != "hello" {
		t.Errorf("Decrypt = %q, %v; want hello", got, err)
	}
}
