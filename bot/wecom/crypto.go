// Package wecom speaks the WeCom (企业微信) protocol: the callback crypto
// (WXBizMsgCrypt), encrypted callbacks and passive replies, an API client for
// app messages, template cards, group robots and OAuth, and two test doubles
// that speak the same protocol with real crypto and real error codes: a Driver
// that plays WeCom's servers toward our callback, and a FakeServer that plays
// WeCom's API toward our client.
//
// It imports no other package of this repository.
package wecom

import (
	"errors"
	"fmt"

	"minsheng/bot/wxcrypto"
)

// ErrBadKey reports an EncodingAESKey that is not 43 base64 characters
// decoding to a 32-byte AES key. It is a configuration error, not the sender's.
var ErrBadKey = wxcrypto.ErrBadKey

// Signature returns WeCom's msg_signature: the lowercase hex SHA-1 of token,
// timestamp, nonce and encrypt sorted as strings and concatenated.
func Signature(token, timestamp, nonce, encrypt string) string {
	return wxcrypto.Signature(token, timestamp, nonce, encrypt)
}

// signatureOK reports whether got is the signature of the other arguments,
// comparing in constant time.
func signatureOK(got, token, timestamp, nonce, encrypt string) bool {
	return wxcrypto.ValidSignature(got, token, timestamp, nonce, encrypt)
}

// Encrypt encrypts plaintext for receiveID (the corp id for a self-built app)
// the way WXBizMsgCrypt does (see package wxcrypto). random16 must be exactly
// 16 bytes; nil draws them from crypto/rand.
func Encrypt(receiveID, encodingAESKey string, random16, plaintext []byte) (string, error) {
	out, err := wxcrypto.Encrypt(receiveID, encodingAESKey, random16, plaintext)
	if err != nil {
		return "", fmt.Errorf("wecom: %w", err)
	}
	return out, nil
}

// Decrypt reverses Encrypt: it checks the padding, the length field and that
// the trailing receive id equals receiveID, and returns the message. Bad input
// yields an error wrapping ErrMalformed (ErrBadKey for a bad key); it never
// panics.
func Decrypt(receiveID, encodingAESKey, b64 string) ([]byte, error) {
	out, err := wxcrypto.Decrypt(receiveID, encodingAESKey, b64)
	switch {
	case errors.Is(err, wxcrypto.ErrMalformed):
		return nil, fmt.Errorf("wecom: %w: %w", ErrMalformed, err)
	case err != nil:
		return nil, fmt.Errorf("wecom: %w", err)
	}
	return out, nil
}
