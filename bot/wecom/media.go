package wecom

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"minsheng/bot"
)

// Size limits of WeCom's pictures and files.
const (
	// GroupImageMax is the largest picture a group robot posts (2 MB, before base64).
	GroupImageMax = 2 << 20
	// MediaImageMax is the largest picture /cgi-bin/media/upload takes (10 MB).
	MediaImageMax = 10 << 20
	// MediaFileMax is the largest file /cgi-bin/media/upload takes (20 MB).
	MediaFileMax = 20 << 20
	// MediaMin is the smallest upload WeCom takes (5 bytes).
	MediaMin = 5
)

// CodeInvalidMsgType is WeCom's answer to a message type it does not know;
// older private deployments (政务微信) give it for markdown_v2.
const CodeInvalidMsgType = 40008

// Media types of /cgi-bin/media/upload.
const (
	MediaImage = "image"
	MediaFile  = "file"
)

// UploadMedia uploads data as a temporary media file of kind (MediaImage or
// MediaFile) named name (POST /cgi-bin/media/upload, multipart field
// "media") and returns its media_id, which WeCom keeps for three days.
// WeCom's refusals are *APIError.
func (c *Client) UploadMedia(ctx context.Context, kind, name string, data []byte) (string, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="media"; filename="%s"; filelength=%d`,
		strings.NewReplacer(`"`, "", "\r", "", "\n", "").Replace(name), len(data)))
	h.Set("Content-Type", "application/octet-stream")
	part, err := w.CreatePart(h)
	if err == nil {
		_, err = part.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return "", fmt.Errorf("wecom: upload media: encode: %w", err)
	}
	var out struct {
		MediaID string `json:"media_id"`
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return "", fmt.Errorf("wecom: upload media: %w", err)
		}
		q := url.Values{"access_token": {tok}, "type": {kind}}
		err = c.post(ctx, "/cgi-bin/media/upload", q, w.FormDataContentType(), body.Bytes(), &out)
		if attempt == 0 && (hasCode(err, CodeInvalidToken) || hasCode(err, CodeTokenExpired) || hasCode(err, CodeInvalidCredential)) {
			c.invalidate(ctx, tok)
			continue
		}
		if err != nil {
			return "", fmt.Errorf("wecom: upload media: %w", err)
		}
		if out.MediaID == "" {
			return "", errors.New("wecom: upload media: answer without media_id")
		}
		return out.MediaID, nil
	}
}

// post is call for a body of any content type.
func (c *Client) post(ctx context.Context, path string, q url.Values, contentType string, body []byte, out any) error {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+path+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", redact(err))
	}
	req.Header.Set("Content-Type", contentType)
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		return redact(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodySize))
	if err != nil {
		return fmt.Errorf("read answer: %w", redact(err))
	}
	if resp.StatusCode != http.StatusOK {
		return &HTTPError{Status: resp.StatusCode, Body: string(b[:min(len(b), 200)])}
	}
	var head struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	if head.ErrCode != 0 {
		return &APIError{Code: head.ErrCode, Msg: head.ErrMsg}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// imageKind tells a PNG or JPEG picture by its first bytes.
func imageKind(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "jpg"
	}
	return ""
}

// sendGroupImage posts o.Image through the group robot: msgtype image with
// the picture in base64 and its MD5.
func (p *Platform) sendGroupImage(ctx context.Context, key string, o bot.Outgoing) error {
	switch {
	case len(o.Image) == 0:
		return fmt.Errorf("%w: wecom: image message without a picture", bot.ErrUndeliverable)
	case len(o.Image) > GroupImageMax:
		return fmt.Errorf("%w: wecom: a %d-byte picture is more than a group robot takes (%d)", bot.ErrUndeliverable, len(o.Image), GroupImageMax)
	case imageKind(o.Image) == "":
		return fmt.Errorf("%w: wecom: a group robot takes PNG or JPEG pictures only", bot.ErrUndeliverable)
	}
	sum := md5.Sum(o.Image)
	msg := map[string]any{"msgtype": "image", "image": map[string]any{
		"base64": base64.StdEncoding.EncodeToString(o.Image), "md5": hex.EncodeToString(sum[:]),
	}}
	return classify(p.Client.SendGroup(ctx, key, msg))
}

// sendGroupTable posts markdown with tables as markdown_v2; a deployment that
// does not know markdown_v2 gets it as markdown, with the tables flattened.
func (p *Platform) sendGroupTable(ctx context.Context, key string, o bot.Outgoing) error {
	if strings.TrimSpace(o.Text) == "" {
		return fmt.Errorf("%w: wecom: empty %s message", bot.ErrUndeliverable, o.Kind)
	}
	err := p.Client.SendGroup(ctx, key, map[string]any{
		"msgtype": "markdown_v2", "markdown_v2": map[string]any{"content": cutBytes(o.Text, GroupMarkdownMax)},
	})
	if hasCode(err, CodeInvalidMsgType) {
		err = p.Client.SendGroup(ctx, key, markdownMessage(cutBytes(flattenTables(o.Text), GroupMarkdownMax)))
	}
	return classify(err)
}

// sendAppMedia sends a member o.File (KindFile) or o.Image (KindImage):
// upload, then a file or image message with the media_id.
func (p *Platform) sendAppMedia(ctx context.Context, to bot.Address, o bot.Outgoing) error {
	kind, name, data, limit := MediaFile, "", []byte(nil), MediaFileMax
	switch {
	case o.Kind == bot.KindFile && o.File != nil:
		name, data = o.File.Name, o.File.Data
	case o.Kind == bot.KindImage && imageKind(o.Image) != "":
		kind, name, data, limit = MediaImage, "image."+imageKind(o.Image), o.Image, MediaImageMax
	default:
		return fmt.Errorf("%w: wecom: %s message without a file or a PNG/JPEG picture", bot.ErrUndeliverable, o.Kind)
	}
	if len(data) < MediaMin || len(data) > limit {
		return fmt.Errorf("%w: wecom: a %d-byte %s is outside what WeCom takes (%d to %d bytes)", bot.ErrUndeliverable, len(data), kind, MediaMin, limit)
	}
	if name == "" {
		name = "file"
	}
	id, err := p.Client.UploadMedia(ctx, kind, name, data)
	if err != nil {
		return classify(err)
	}
	res, err := p.Client.SendApp(ctx, map[string]any{"touser": to.UserID, "msgtype": kind, kind: map[string]any{"media_id": id}})
	if err != nil {
		return classify(err)
	}
	if res.InvalidUser != "" {
		return fmt.Errorf("%w: wecom: the member is not reachable by the app (invaliduser)", bot.ErrUndeliverable)
	}
	return nil
}

// flattenTables rewrites markdown tables for plain WeCom markdown, which has
// none: the separator row goes, and each row becomes one line with its cells
// separated by "｜", the header row in bold.
func flattenTables(md string) string {
	lines := strings.Split(md, "\n")
	out := make([]string, 0, len(lines))
	header := true
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "|") {
			header = true
			out = append(out, l)
			continue
		}
		cells := strings.Split(strings.Trim(t, "|"), "|")
		sep := true
		for i, c := range cells {
			cells[i] = strings.TrimSpace(c)
			if strings.Trim(cells[i], ":-") != "" || cells[i] == "" {
				sep = false
			}
		}
		if sep {
			continue
		}
		row := strings.Join(cells, "｜")
		if header {
			row = "**" + row + "**"
			header = false
		}
		out = append(out, row)
	}
	return strings.Join(out, "\n")
}
