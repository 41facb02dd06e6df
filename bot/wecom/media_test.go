package wecom_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"

	"minsheng/bot"
	"minsheng/bot/wecom"
)

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGroupImage(t *testing.T) {
	pic := testPNG(t, 40, 30)
	tests := []struct {
		name    string
		image   []byte
		wantErr error
	}{
		{"PNG", pic, nil},
		{"JPEGHeader", append([]byte("\xff\xd8\xff\xe0"), make([]byte, 100)...), nil},
		{"Empty", nil, bot.ErrUndeliverable},
		{"NotAPicture", []byte("GIF89a this is no png"), bot.ErrUndeliverable},
		{"TooLarge", append(append([]byte(nil), pic...), make([]byte, wecom.GroupImageMax)...), bot.ErrUndeliverable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newAdRig(t)
			_, err := r.p.Deliver(context.Background(), bot.Address{Kind: bot.AddrJoint, RobotKey: adJointKey}, bot.Outgoing{Kind: bot.KindImage, Image: tt.image})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Deliver image = %v; want %v", err, tt.wantErr)
			}
			got := r.fake.GroupMessages(adJointKey)
			if tt.wantErr != nil {
				if len(got) != 0 {
					t.Errorf("group got %d messages; want none", len(got))
				}
				return
			}
			if len(got) != 1 || got[0].MsgType != "image" || !bytes.Equal(got[0].Image, tt.image) {
				t.Errorf("group got %+v; want the picture as an image message", got)
			}
		})
	}
}

func TestGroupImageChecksMD5(t *testing.T) {
	r := newAdRig(t)
	err := r.p.Client.SendGroup(context.Background(), adJointKey, map[string]any{"msgtype": "image", "image": map[string]any{
		"base64": "iVBORw0KGgoAAAANSUhEUg==", "md5": "00000000000000000000000000000000",
	}})
	var ae *wecom.APIError
	if !errors.As(err, &ae) || !strings.Contains(ae.Msg, "md5") {
		t.Errorf("image with a wrong md5 = %v; want an md5 refusal", err)
	}
}

const table = "## 本周\n| 单位 | 答复率 |\n| :-- | --: |\n| cg 城管 | 90.0% |\n| zj 住建 | — |\n\n说明"

func TestGroupTable(t *testing.T) {
	t.Run("MarkdownV2", func(t *testing.T) {
		r := newAdRig(t)
		if _, err := r.p.Deliver(context.Background(), bot.Address{Kind: bot.AddrJoint, RobotKey: adJointKey}, bot.Outgoing{Kind: bot.KindTable, Text: table}); err != nil {
			t.Fatal(err)
		}
		got := r.fake.GroupMessages(adJointKey)
		if len(got) != 1 || got[0].MsgType != "markdown_v2" || got[0].Text != table {
			t.Errorf("group got %+v; want the table as markdown_v2", got)
		}
	})
	t.Run("OldDeploymentGetsFlatMarkdown", func(t *testing.T) {
		r := newAdRig(t)
		r.fake.NoMarkdownV2 = true
		if _, err := r.p.Deliver(context.Background(), bot.Address{Kind: bot.AddrJoint, RobotKey: adJointKey}, bot.Outgoing{Kind: bot.KindTable, Text: table}); err != nil {
			t.Fatal(err)
		}
		got := r.fake.GroupMessages(adJointKey)
		want := "## 本周\n**单位｜答复率**\ncg 城管｜90.0%\nzj 住建｜—\n\n说明"
		if len(got) != 1 || got[0].MsgType != "markdown" || got[0].Text != want {
			t.Errorf("group got %+v; want markdown %q", got, want)
		}
	})
	t.Run("ToAMember", func(t *testing.T) {
		r := newAdRig(t)
		if _, err := r.p.Deliver(context.Background(), bot.Address{Kind: bot.AddrMember, UserID: adUser}, bot.Outgoing{Kind: bot.KindTable, Text: table}); err != nil {
			t.Fatal(err)
		}
		got := r.fake.AppMessages()
		if len(got) != 1 || got[0].MsgType != "markdown" || !strings.Contains(got[0].Text, "cg 城管｜90.0%") {
			t.Errorf("member got %+v; want flat markdown", got)
		}
	})
}

func TestAppFile(t *testing.T) {
	data := []byte("PK\x03\x04 a workbook, as far as WeCom cares")
	tests := []struct {
		name     string
		out      bot.Outgoing
		wantType string
		wantName string
		wantData []byte
		wantErr  error
	}{
		{"File", bot.Outgoing{Kind: bot.KindFile, File: &bot.File{Name: "网络问政月报-2026年11月.xlsx", Data: data}}, "file", "网络问政月报-2026年11月.xlsx", data, nil},
		{"Image", bot.Outgoing{Kind: bot.KindImage, Image: testPNG(t, 8, 8)}, "image", "image.png", testPNG(t, 8, 8), nil},
		{"NoFile", bot.Outgoing{Kind: bot.KindFile}, "", "", nil, bot.ErrUndeliverable},
		{"TooSmall", bot.Outgoing{Kind: bot.KindFile, File: &bot.File{Name: "a", Data: []byte("abc")}}, "", "", nil, bot.ErrUndeliverable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newAdRig(t)
			_, err := r.p.Deliver(context.Background(), bot.Address{Kind: bot.AddrMember, UserID: adUser}, tt.out)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Deliver = %v; want %v", err, tt.wantErr)
			}
			got := r.fake.AppMessages()
			if tt.wantErr != nil {
				if len(got) != 0 {
					t.Errorf("member got %+v; want nothing", got)
				}
				return
			}
			if len(got) != 1 || got[0].MsgType != tt.wantType || got[0].ToUser != adUser {
				t.Fatalf("member got %+v; want one %s message", got, tt.wantType)
			}
			m, ok := r.fake.Media(got[0].MediaID)
			if !ok || m.Name != tt.wantName || !bytes.Equal(m.Data, tt.wantData) {
				t.Errorf("uploaded media = %q (%d bytes), %v; want %q with the data", m.Name, len(m.Data), ok, tt.wantName)
			}
		})
	}
}

func TestUploadMediaRefreshesToken(t *testing.T) {
	r := newAdRig(t)
	ctx := context.Background()
	if _, err := r.p.Client.UploadMedia(ctx, wecom.MediaFile, "a.txt", []byte("hello world")); err != nil {
		t.Fatal(err)
	}
	r.fake.ExpireTokens()
	id, err := r.p.Client.UploadMedia(ctx, wecom.MediaFile, "b.txt", []byte("hello again"))
	if err != nil {
		t.Fatalf("upload after the token expired = %v; want a fresh token and success", err)
	}
	if m, ok := r.fake.Media(id); !ok || string(m.Data) != "hello again" {
		t.Errorf("media %s = %+v, %v", id, m, ok)
	}
	if n := r.fake.TokensIssued(); n != 2 {
		t.Errorf("tokens issued = %d; want 2", n)
	}
	if _, err := r.p.Client.UploadMedia(ctx, "picture", "c", []byte("hello")); err == nil {
		t.Errorf("upload of an unknown media type succeeded")
	}
}
