// Package wxcrypto is WXBizMsgCrypt, the callback cryptography that the
// WeChat Official Account and WeCom share: the SHA-1 signature over token,
// timestamp, nonce and ciphertext, and AES-256-CBC over
// random(16) + length(4) + message + receive id, padded to 32-byte blocks.
// bot/mp and bot/wecom build on it; it imports no package of this repository.
package wxcrypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"sort"
	"strings"
)

// ErrBadKey reports an EncodingAESKey that is not 43 base64 characters
// decoding to a 32-byte AES key. It is a configuration error, not the sender's.
var ErrBadKey = errors.New("invalid EncodingAESKey")

// ErrMalformed reports a ciphertext that does not decrypt to a well-formed
// message for the receive id.
var ErrMalformed = errors.New("malformed ciphertext")

// blockSize is the PKCS#7 block size WXBizMsgCrypt pads to (not AES's 16).
const blockSize = 32

// Signature returns the lowercase hex SHA-1 of token, timestamp, nonce and the
// extra strings (the ciphertext, for msg_signature), sorted and concatenated.
func Signature(token, timestamp, nonce string, extra ...string) string {
	parts := append([]string{token, timestamp, nonce}, extra...)
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// ValidSignature reports, in constant time, whether sig (any letter case) is
// Signature(token, timestamp, nonce, extra...).
func ValidSignature(sig, token, timestamp, nonce string, extra ...string) bool {
	want := Signature(token, timestamp, nonce, extra...)
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(sig)), []byte(want)) == 1
}

// ValidAESKey checks an EncodingAESKey: 43 characters that, with "="
// appended, decode as base64 to 32 bytes.
func ValidAESKey(key string) error {
	_, err := aesKey(key)
	return err
}

// aesKey decodes an EncodingAESKey (43 base64 characters) into the 32-byte key.
func aesKey(encodingAESKey string) ([]byte, error) {
	if len(encodingAESKey) != 43 {
		return nil, fmt.Errorf("%w: length %d, want 43", ErrBadKey, len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("%w: decodes to %d bytes, want 32", ErrBadKey, len(key))
	}
	return key, nil
}

// Encrypt encrypts plaintext for receiveID (the AppID of an Official Account,
// the corp id of a WeCom self-built app)
// the way WXBizMsgCrypt does: AES-256-CBC with IV = key[:16] over
// random(16) + len(plaintext) (4 bytes, big-endian) + plaintext + receiveID,
// PKCS#7-padded to 32 bytes, and returns the standard base64 of the ciphertext.
// random16 must be exactly 16 bytes; nil draws them from crypto/rand.
func Encrypt(receiveID, encodingAESKey string, random16, plaintext []byte) (string, error) {
	key, err := aesKey(encodingAESKey)
	if err != nil {
		return "", fmt.Errorf("wxcrypto: encrypt: %w", err)
	}
	if random16 == nil {
		random16 = make([]byte, 16)
		if _, err := rand.Read(random16); err != nil {
			return "", fmt.Errorf("wxcrypto: encrypt: random: %w", err)
		}
	}
	if len(random16) != 16 {
		return "", fmt.Errorf("wxcrypto: encrypt: random prefix is %d bytes, want 16", len(random16))
	}
	if uint64(len(plaintext)) > 1<<31 {
		return "", fmt.Errorf("wxcrypto: encrypt: message of %d bytes is too long", len(plaintext))
	}
	n := 20 + len(plaintext) + len(receiveID)
	pad := blockSize - n%blockSize
	buf := make([]byte, n+pad)
	copy(buf, random16)
	binary.BigEndian.PutUint32(buf[16:20], uint32(len(plaintext)))
	copy(buf[20:], plaintext)
	copy(buf[20+len(plaintext):], receiveID)
	for i := n; i < len(buf); i++ {
		buf[i] = byte(pad)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", fmt.Errorf("wxcrypto: encrypt: %w", err)
	}
	cipher.NewCBCEncrypter(block, key[:aes.BlockSize]).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf), nil
}

// Decrypt reverses Encrypt: it decodes b64, decrypts it, checks the padding,
// the length field and that the trailing receive id equals receiveID, and
// returns the message. Bad input yields an error wrapping ErrMalformed
// (ErrBadKey for a bad key); it never panics.
func Decrypt(receiveID, encodingAESKey, b64 string) ([]byte, error) {
	key, err := aesKey(encodingAESKey)
	if err != nil {
		return nil, fmt.Errorf("wxcrypto: decrypt: %w", err)
	}
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("wxcrypto: decrypt: %w: base64: %v", ErrMalformed, err)
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("wxcrypto: decrypt: %w: ciphertext of %d bytes is not whole AES blocks", ErrMalformed, len(ct))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("wxcrypto: decrypt: %w", err)
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, key[:aes.BlockSize]).CryptBlocks(plain, ct)

	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > blockSize || pad > len(plain) {
		return nil, fmt.Errorf("wxcrypto: decrypt: %w: bad padding", ErrMalformed)
	}
	if !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, fmt.Errorf("wxcrypto: decrypt: %w: bad padding", ErrMalformed)
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, fmt.Errorf("wxcrypto: decrypt: %w: %d bytes is too short", ErrMalformed, len(plain))
	}
	msgLen := uint64(binary.BigEndian.Uint32(plain[16:20]))
	if msgLen > uint64(len(plain)-20) {
		return nil, fmt.Errorf("wxcrypto: decrypt: %w: length field %d exceeds the %d bytes left", ErrMalformed, msgLen, len(plain)-20)
	}
	msg := plain[20 : 20+int(msgLen)]
	if got := string(plain[20+int(msgLen):]); got != receiveID {
		return nil, fmt.Errorf("wxcrypto: decrypt: %w: receive id (AppID or corp id) %q, want %q", ErrMalformed, got, receiveID)
	}
	out := make([]byte, len(msg))
	copy(out, msg)
	return out, nil
}

// XMLContentType reports whether ct is a content type the Official Account
// and WeCom post their XML callbacks with; an absent one is accepted too.
func XMLContentType(ct string) bool {
	if ct == "" {
		return true // WeChat always sends one, but an absent type is not an attack
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "text/xml" || mt == "application/xml" || strings.HasSuffix(mt, "+xml")
}
