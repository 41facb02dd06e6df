package mp

import (
	"fmt"

	"minsheng/bot/wxcrypto"
)

// Signature returns WeChat's SHA-1 signature: the lowercase hex SHA-1 of
// token, timestamp, nonce and the extra strings, sorted and concatenated.
// Without extra it is the "signature" query parameter of every callback; with
// the Encrypt field as extra it is "msg_signature" of safe mode.
func Signature(token, timestamp, nonce string, extra ...string) string {
	return wxcrypto.Signature(token, timestamp, nonce, extra...)
}

// ValidSignature reports, in constant time, whether sig is
// Signature(token, timestamp, nonce, extra...): the check our callback makes on
// "signature" and, with the Encrypt field, on "msg_signature".
func ValidSignature(sig, token, timestamp, nonce string, extra ...string) bool {
	return wxcrypto.ValidSignature(sig, token, timestamp, nonce, extra...)
}

// ValidAESKey checks an EncodingAESKey as configured in the Official Account
// console: 43 characters that, with "=" appended, decode as base64 to 32 bytes.
func ValidAESKey(key string) error {
	if err := wxcrypto.ValidAESKey(key); err != nil {
		return fmt.Errorf("mp: %w", err)
	}
	return nil
}

// Encrypt encrypts plaintext as WeChat does for safe mode and returns the
// base64 text of the Encrypt element (see package wxcrypto). random16 must be
// 16 bytes; nil means 16 fresh bytes from crypto/rand.
func Encrypt(appID, encodingAESKey string, random16 []byte, plaintext []byte) (string, error) {
	out, err := wxcrypto.Encrypt(appID, encodingAESKey, random16, plaintext)
	if err != nil {
		return "", fmt.Errorf("mp: encrypt: %w", err)
	}
	return out, nil
}

// Decrypt reverses Encrypt for appID, checking the padding, the length field
// and the trailing AppID; it never panics on bad input.
func Decrypt(appID, encodingAESKey, b64 string) (plaintext []byte, err error) {
	out, err := wxcrypto.Decrypt(appID, encodingAESKey, b64)
	if err != nil {
		return nil, fmt.Errorf("mp: decrypt: %w", err)
	}
	return out, nil
}
