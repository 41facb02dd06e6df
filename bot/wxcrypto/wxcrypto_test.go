package wxcrypto

import (
	"bytes"
	"errors"
	"testing"
)

const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

func TestRoundTripAndReceiveID(t *testing.T) {
	for _, msg := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("问政"), 100)} {
		enc, err := Encrypt("wxapp", key, nil, msg)
		if err != nil {
			t.Fatalf("Encrypt(%d bytes): %v", len(msg), err)
		}
		got, err := Decrypt("wxapp", key, enc)
		if err != nil || !bytes.Equal(got, msg) {
			t.Errorf("Decrypt(Encrypt(%d bytes)) = %d bytes, %v", len(msg), len(got), err)
		}
		if _, err := Decrypt("wwcorp", key, enc); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decrypt for another receive id = %v; want ErrMalformed", err)
		}
	}
	if _, err := Encrypt("wxapp", "short", nil, nil); !errors.Is(err, ErrBadKey) {
		t.Errorf("Encrypt with a short key = %v; want ErrBadKey", err)
	}
}

func TestValidSignatureIgnoresCase(t *testing.T) {
	sig := Signature("token", "1409304348", "nonce", "cipher")
	if !ValidSignature(sig, "token", "1409304348", "nonce", "cipher") || !ValidSignature(string(bytes.ToUpper([]byte(sig))), "token", "1409304348", "nonce", "cipher") {
		t.Error("a correct signature was refused")
	}
	if ValidSignature(sig, "token", "1409304349", "nonce", "cipher") {
		t.Error("a signature over another timestamp was accepted")
	}
}

func TestXMLContentType(t *testing.T) {
	tests := []struct {
		ct   string
		want bool
	}{
		{"", true},
		{"text/xml", true},
		{"text/xml; charset=utf-8", true},
		{"application/xml", true},
		{"application/atom+xml", true},
		{"application/json", false},
		{"application/x-www-form-urlencoded", false},
		{"text/xml; charset", false},
	}
	for _, tt := range tests {
		if got := XMLContentType(tt.ct); got != tt.want {
			t.Errorf("XMLContentType(%q) = %v; want %v", tt.ct, got, tt.want)
		}
	}
}
