package wecom

import (
	"bytes"
	"strconv"
)

// TextReply returns the plain XML of a passive text reply to a member's
// message. Encrypt it with PassiveReply.
func TextReply(toUser, fromCorp string, createTime int64, content string) []byte {
	var b bytes.Buffer
	b.WriteString("<xml>")
	element(&b, "ToUserName", toUser)
	element(&b, "FromUserName", fromCorp)
	b.WriteString("<CreateTime>" + strconv.FormatInt(createTime, 10) + "</CreateTime>")
	element(&b, "MsgType", "text")
	element(&b, "Content", content)
	b.WriteString("</xml>")
	return b.Bytes()
}
