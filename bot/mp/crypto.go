package mp

import (
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
	"sort"
	"strings"
)

// padBlock is the PKCS#7 block size WXBizMsgCrypt pads to: 32 bytes, not the
// AES block size of 16.
const padBlock = 32

// Signature returns WeChat's SHA-1 signature: the lowercase hex SHA-1 of
// token, timestamp, nonce and the extra strings, sorted and concatenated.
// Without extra it is the "signature" query parameter of every callback; with
// the Encrypt field as extra it is "msg_signature" of safe mode.
func Signature(token, timestamp, nonce string, extra ...string) string {
	parts := append([]string{token, timestamp, nonce}, extra...)
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// ValidSignature reports, in constant time, whether sig is
// Signature(token, timestamp, nonce, extra...): the check our callback makes on
// "signature" and, with the Encrypt field, on "msg_signature".
func ValidSignature(sig, token, timestamp, nonce string, extra ...string) bool {
	want := Signature(token, timestamp, nonce, extra...)
	return subtle.ConstantTimeCompare([]byte(sig), []byte(want)) == 1
}

// ValidAESKey checks an EncodingAESKey as configured in the Official Account
// console: 43 characters that, with "=" appended, decode as base64 to 32 bytes.
func ValidAESKey(key string) error {
	if _, err := aesKey(key); err != nil {
		return fmt.Errorf("mp: %w", err)
	}
	return nil
}

func aesKey(encodingAESKey string) ([]byte, error) {
	if len(encodingAESKey) != 43 {
		return nil, fmt.Errorf("EncodingAESKey must be 43 characters, got %d", len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil {
		return nil, fmt.Errorf("EncodingAESKey is not base64: %w", err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("EncodingAESKey decodes to %d bytes, want 32", len(key))
	}
	return key, nil
}

// Encrypt encrypts plaintext as WeChat does for safe mode and returns the
// base64 text of the Encrypt element: AES-256-CBC with key
// base64(encodingAESKey+"="), IV the key's first 16 bytes, over
// random16 + big-endian uint32 len(plaintext) + plaintext + appID, PKCS#7
// padded to a multiple of 32 bytes. random16 must be 16 bytes; nil means 16
// fresh bytes from crypto/rand.
func Encrypt(appID, encodingAESKey string, random16 []byte, plaintext []byte) (string, error) {
	key, err := aesKey(encodingAESKey)
	if err != nil {
		return "", fmt.Errorf("mp: encrypt: %w", err)
	}
	if random16 == nil {
		random16 = make([]byte, 16)
		if _, err := rand.Read(random16); err != nil {
			return "", fmt.Errorf("mp: encrypt: read random: %w", err)
		}
	}
	if len(random16) != 16 {
		return "", fmt.Errorf("mp: encrypt: random prefix is %d bytes, want 16", len(random16))
	}
	if uint64(len(plaintext)) > 1<<31 {
		return "", errors.New("mp: encrypt: plaintext too long")
	}
	n := 20 + len(plaintext) + len(appID)
	pad := padBlock - n%padBlock
	buf := make([]byte, n+pad)
	copy(buf, random16)
	binary.BigEndian.PutUint32(buf[16:20], uint32(len(plaintext)))
	copy(buf[20:], plaintext)
	copy(buf[20+len(plaintext):], appID)
	for i := n; i < len(buf); i++ {
		buf[i] = byte(pad)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", fmt.Errorf("mp: encrypt: %w", err)
	}
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf), nil
}

// Decrypt reverses Encrypt: it decodes b64, decrypts it, checks the padding,
// the length field and that the trailing AppID equals appID, and returns the
// message. Every malformation is an error; Decrypt never panics.
func Decrypt(appID, encodingAESKey, b64 string) (plaintext []byte, err error) {
	key, err := aesKey(encodingAESKey)
	if err != nil {
		return nil, fmt.Errorf("mp: decrypt: %w", err)
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("mp: decrypt: bad base64: %w", err)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("mp: decrypt: ciphertext length %d is not a positive multiple of %d", len(data), aes.BlockSize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("mp: decrypt: %w", err)
	}
	buf := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(buf, data)

	pad := int(buf[len(buf)-1])
	if pad < 1 || pad > padBlock || pad > len(buf) {
		return nil, fmt.Errorf("mp: decrypt: bad padding %d", pad)
	}
	for _, b := range buf[len(buf)-pad:] {
		if int(b) != pad {
			return nil, errors.New("mp: decrypt: bad padding bytes")
		}
	}
	buf = buf[:len(buf)-pad]
	if len(buf) < 20 {
		return nil, fmt.Errorf("mp: decrypt: content too short (%d bytes)", len(buf))
	}
	msgLen := uint64(binary.BigEndian.Uint32(buf[16:20]))
	if msgLen > uint64(len(buf)-20) {
		return nil, fmt.Errorf("mp: decrypt: length field %d exceeds content of %d bytes", msgLen, len(buf)-20)
	}
	end := 20 + int(msgLen)
	if got := buf[end:]; subtle.ConstantTimeCompare(got, []byte(appID)) != 1 {
		return nil, errors.New("mp: decrypt: AppID mismatch")
	}
	return buf[20:end:end], nil
}
