package wecomtest

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"time"

	"minsheng/bot/internal/jsonq"
	"minsheng/bot/wecom"
)

// MediaTTL is how long WeCom keeps a temporary media file (three days).
const MediaTTL = 72 * time.Hour

// FakeMedia is a file FakeServer accepted on /cgi-bin/media/upload.
type FakeMedia struct {
	Type string // image, voice, video or file
	Name string // the multipart filename
	Data []byte
	At   time.Time
}

// Media returns a copy of the file uploaded as media id.
func (f *FakeServer) Media(id string) (FakeMedia, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.media[id]
	m.Data = bytes.Clone(m.Data)
	return m, ok
}

// uploadMedia is POST /cgi-bin/media/upload?access_token=…&type=…: a
// multipart body whose "media" part is the file.
func (f *FakeServer) uploadMedia(r *http.Request, body []byte) fakeResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	if e := f.checkToken(r); e != nil {
		return e
	}
	kind := r.URL.Query().Get("type")
	limit := map[string]int{"image": wecom.MediaImageMax, "voice": 2 << 20, "video": 10 << 20, "file": wecom.MediaFileMax}[kind]
	if limit == 0 {
		return apiError(40004, "invalid media type")
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return apiError(47001, "data format error: multipart/form-data expected")
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var m *FakeMedia
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return apiError(47001, "data format error")
		}
		if p.FormName() != "media" {
			continue
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return apiError(47001, "data format error")
		}
		m = &FakeMedia{Type: kind, Name: p.FileName(), Data: data, At: f.now()}
		break
	}
	switch {
	case m == nil:
		return apiError(41001, "media data missing")
	case len(m.Data) < wecom.MediaMin || len(m.Data) > limit:
		return apiError(40006, fmt.Sprintf("invalid file size: %d bytes", len(m.Data)))
	case kind == "image" && pictureKind(m.Data) == "":
		return apiError(40005, "invalid file type: jpg or png expected")
	}
	if f.media == nil {
		f.media = map[string]FakeMedia{}
	}
	id := randomHex(32)
	f.media[id] = *m
	return success(fakeResult{"type": kind, "media_id": id, "created_at": fmt.Sprint(m.At.Unix())})
}

// checkMedia checks the media_id of a file or image app message; callers
// hold f.mu.
func (f *FakeServer) checkMedia(m map[string]any, msg *AppMessage) fakeResult {
	msg.MediaID = jsonq.Str(m, msg.MsgType, "media_id")
	med, ok := f.media[msg.MediaID]
	if !ok || med.Type != msg.MsgType || !f.now().Before(med.At.Add(MediaTTL)) {
		return apiError(40007, "invalid media_id")
	}
	msg.Text = med.Name
	return nil
}

// checkGroupImage checks a group robot picture as WeCom does: base64, the
// MD5 of the decoded bytes, JPEG or PNG, at most wecom.GroupImageMax.
func checkGroupImage(m map[string]any, msg *GroupMessage) fakeResult {
	data, err := base64.StdEncoding.DecodeString(jsonq.Str(m, "image", "base64"))
	switch {
	case err != nil || len(data) == 0:
		return apiError(wecom.CodeInvalidParam, "invalid image: base64 expected")
	case len(data) > wecom.GroupImageMax:
		return apiError(40009, "invalid image size")
	case pictureKind(data) == "":
		return apiError(40005, "invalid file type: jpg or png expected")
	}
	sum := md5.Sum(data)
	if jsonq.Str(m, "image", "md5") != hex.EncodeToString(sum[:]) {
		return apiError(wecom.CodeInvalidParam, "invalid image: md5 does not match")
	}
	msg.Image = data
	return nil
}

// checkMarkdownV2 checks a markdown_v2 group message; callers hold f.mu.
func (f *FakeServer) checkMarkdownV2(m map[string]any, msg *GroupMessage) fakeResult {
	if f.NoMarkdownV2 {
		return apiError(wecom.CodeInvalidMsgType, "invalid message type")
	}
	msg.Text = jsonq.Str(m, "markdown_v2", "content")
	if msg.Text == "" {
		return apiError(44004, "empty content")
	}
	if len(msg.Text) > wecom.GroupMarkdownMax {
		return apiError(wecom.CodeInvalidParam, fmt.Sprintf("invalid markdown_v2: content exceed max length %d", wecom.GroupMarkdownMax))
	}
	return nil
}

// pictureKind is the format of a picture as WeCom recognises it from its
// first bytes: png, jpg, or "" for anything else.
func pictureKind(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "jpg"
	}
	return ""
}
