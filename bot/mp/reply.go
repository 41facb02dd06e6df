package mp

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// TextReply returns the passive reply XML that answers a callback with a text
// message, as WeChat expects it: toUser is the citizen's openid (the
// callback's FromUserName) and fromUser the account's original ID (its
// ToUserName).
func TextReply(toUser, fromUser, content string, createTime int64) []byte {
	var b bytes.Buffer
	b.WriteString("<xml>")
	cdataElem(&b, "ToUserName", toUser)
	cdataElem(&b, "FromUserName", fromUser)
	textElem(&b, "CreateTime", strconv.FormatInt(createTime, 10))
	cdataElem(&b, "MsgType", "text")
	cdataElem(&b, "Content", content)
	b.WriteString("</xml>")
	return b.Bytes()
}

// EncryptReply wraps a plaintext passive reply for safe mode:
// <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>, where
// MsgSignature is Signature(token, timestamp, nonce, Encrypt). timestamp and
// nonce are normally the callback's own.
func EncryptReply(token, appID, encodingAESKey, timestamp, nonce string, plain []byte) ([]byte, error) {
	if _, err := strconv.ParseInt(timestamp, 10, 64); err != nil {
		return nil, fmt.Errorf("mp: encrypt reply: bad timestamp: %w", err)
	}
	enc, err := Encrypt(appID, encodingAESKey, nil, plain)
	if err != nil {
		return nil, fmt.Errorf("mp: encrypt reply: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("<xml>")
	cdataElem(&b, "Encrypt", enc)
	cdataElem(&b, "MsgSignature", Signature(token, timestamp, nonce, enc))
	textElem(&b, "TimeStamp", timestamp)
	cdataElem(&b, "Nonce", nonce)
	b.WriteString("</xml>")
	return b.Bytes(), nil
}

// replyFields are the elements of a passive reply, plain or encrypted.
var replyFields = []string{
	"ToUserName", "FromUserName", "CreateTime", "MsgType", "Content",
	"Encrypt", "MsgSignature", "TimeStamp", "Nonce",
}

// rawReply is a passive reply as it comes over the wire.
type rawReply struct {
	ToUserName   string
	FromUserName string
	CreateTime   string
	MsgType      string
	Content      string
	Encrypt      string
	MsgSignature string
	TimeStamp    string
	Nonce        string
}

func parseReply(b []byte) (rawReply, error) {
	var r rawReply
	fields := map[string]*string{
		"ToUserName": &r.ToUserName, "FromUserName": &r.FromUserName, "CreateTime": &r.CreateTime,
		"MsgType": &r.MsgType, "Content": &r.Content, "Encrypt": &r.Encrypt,
		"MsgSignature": &r.MsgSignature, "TimeStamp": &r.TimeStamp, "Nonce": &r.Nonce,
	}
	if err := decodeDoc(b, fields, replyFields); err != nil {
		return rawReply{}, err
	}
	return r, nil
}

// cdataElem writes <name><![CDATA[value]]></name>, splitting any "]]>" in
// value across two CDATA sections as WeChat's own serializer does.
func cdataElem(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + "><![CDATA[")
	b.WriteString(strings.ReplaceAll(value, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]></" + name + ">")
}

// textElem writes <name>value</name> for values that need no escaping
// (numbers).
func textElem(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + ">" + value + "</" + name + ">")
}
