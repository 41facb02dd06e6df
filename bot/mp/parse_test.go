package mp

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

func TestParseMessage(t *testing.T) {
	tests := []struct {
		name string
		xml  string
		want Message
	}{
		{
			name: "text from the WeChat docs",
			xml: `<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[this is a test]]></Content>
  <MsgId>1234567890123456</MsgId>
  <MsgDataId>xxxx</MsgDataId>
  <Idx>xxxx</Idx>
</xml>`,
			want: Message{ToUser: "toUser", FromUser: "fromUser", CreateTime: 1348831860, MsgType: "text",
				Content: "this is a test", MsgID: 1234567890123456},
		},
		{
			name: "image",
			xml:  `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz/x.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId><MsgId>7</MsgId></xml>`,
			want: Message{ToUser: "gh_1", FromUser: "o1", CreateTime: 1, MsgType: "image", PicURL: "http://mmbiz/x.jpg", MediaID: "m1", MsgID: 7},
		},
		{
			name: "voice with recognition",
			xml:  `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[路灯坏了]]></Recognition><MsgId>8</MsgId></xml>`,
			want: Message{ToUser: "gh_1", FromUser: "o1", CreateTime: 1, MsgType: "voice", MediaID: "m2", Format: "amr", Recognition: "路灯坏了", MsgID: 8},
		},
		{
			name: "location",
			xml:  `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1351776360</CreateTime><MsgType><![CDATA[location]]></MsgType><Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale><Label><![CDATA[位置信息]]></Label><MsgId>1234567890123456</MsgId></xml>`,
			want: Message{ToUser: "gh_1", FromUser: "o1", CreateTime: 1351776360, MsgType: "location", LocationX: 23.134521, LocationY: 113.358803,
				Scale: 20, Label: "位置信息", MsgID: 1234567890123456},
		},
		{
			name: "location with a decimal Scale",
			xml:  `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1351776360</CreateTime><MsgType><![CDATA[location]]></MsgType><Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>15.5</Scale><Label><![CDATA[位置信息]]></Label><MsgId>1234567890123457</MsgId></xml>`,
			want: Message{ToUser: "gh_1", FromUser: "o1", CreateTime: 1351776360, MsgType: "location", LocationX: 23.134521, LocationY: 113.358803,
				Scale: 15.5, Label: "位置信息", MsgID: 1234567890123457},
		},
		{
			name: "click event",
			xml:  `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[STATUS]]></EventKey></xml>`,
			want: Message{ToUser: "gh_1", FromUser: "o1", CreateTime: 123456789, MsgType: "event", Event: "CLICK", EventKey: "STATUS"},
		},
		{
			name: "subscribe popup event with repeated unknown List",
			xml:  `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe_msg_popup_event]]></Event><List><TemplateId>a</TemplateId></List><List><TemplateId>b</TemplateId></List></xml>`,
			want: Message{ToUser: "gh_1", FromUser: "o1", CreateTime: 1, MsgType: "event", Event: "subscribe_msg_popup_event"},
		},
		{
			name: "plain text, escapes and CDATA split",
			xml:  `<?xml version="1.0" encoding="UTF-8"?><!-- hi --><xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime> 5 </CreateTime><MsgType>text</MsgType><Content>a &amp; b &lt;c&gt; <![CDATA[]]]]><![CDATA[>]]></Content><MsgId></MsgId></xml>`,
			want: Message{ToUser: "gh_1", FromUser: "o1", CreateTime: 5, MsgType: "text", Content: "a & b <c> ]]>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMessage([]byte(tt.xml))
			if err != nil {
				t.Fatalf("ParseMessage: %v", err)
			}
			if got != tt.want {
				t.Errorf("ParseMessage = %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestParseMessageRejects(t *testing.T) {
	head := `<ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><MsgType>text</MsgType>`
	tests := []struct{ name, xml, wantErr string }{
		{"empty", ``, "no root"},
		{"not xml", `hello`, "outside the root"},
		{"doctype", `<!DOCTYPE xml><xml>` + head + `</xml>`, "DOCTYPE"},
		{"entity declaration", `<!DOCTYPE xml [<!ENTITY e "boom">]><xml>` + head + `<Content>&e;</Content></xml>`, "DOCTYPE"},
		{"external entity", `<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml>` + head + `<Content>&e;</Content></xml>`, "DOCTYPE"},
		{"doctype inside root", `<xml>` + head + `<!DOCTYPE x></xml>`, "DOCTYPE"},
		{"undeclared entity", `<xml>` + head + `<Content>&e;</Content></xml>`, "malformed"},
		{"wrong root", `<root>` + head + `</root>`, "root element"},
		{"two roots", `<xml>` + head + `</xml><xml>` + head + `</xml>`, "more than one root"},
		{"trailing text", `<xml>` + head + `</xml>junk`, "outside the root"},
		{"unclosed", `<xml>` + head, "malformed"},
		{"mismatched tags", `<xml>` + head + `</XML>`, "malformed"},
		{"repeated MsgId", `<xml>` + head + `<MsgId>1</MsgId><MsgId>2</MsgId></xml>`, "repeated"},
		{"repeated FromUserName", `<xml>` + head + `<FromUserName>o2</FromUserName></xml>`, "repeated"},
		{"no FromUserName", `<xml><ToUserName>gh_1</ToUserName><MsgType>text</MsgType></xml>`, "missing FromUserName"},
		{"no ToUserName", `<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType></xml>`, "missing ToUserName"},
		{"no MsgType", `<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName></xml>`, "missing MsgType"},
		{"bad CreateTime", `<xml>` + head + `<CreateTime>yesterday</CreateTime></xml>`, "CreateTime"},
		{"MsgId overflow", `<xml>` + head + `<MsgId>99999999999999999999</MsgId></xml>`, "MsgId"},
		{"bad Scale", `<xml>` + head + `<Scale>near</Scale></xml>`, "Scale"},
		{"NaN Scale", `<xml>` + head + `<Scale>NaN</Scale></xml>`, "Scale"},
		{"NaN latitude", `<xml>` + head + `<Location_X>NaN</Location_X></xml>`, "Location_X"},
		{"infinite longitude", `<xml>` + head + `<Location_Y>1e999</Location_Y></xml>`, "Location_Y"},
		{"non-UTF-8 charset", `<?xml version="1.0" encoding="GBK"?><xml>` + head + `</xml>`, "malformed"},
		{"invalid UTF-8", "<xml>" + head + "<Content>\xff</Content></xml>", "malformed"},
		{"too big", `<xml>` + head + `<Content>` + strings.Repeat("a", MaxBody) + `</Content></xml>`, "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMessage([]byte(tt.xml))
			if err == nil {
				t.Fatalf("ParseMessage = %+v, nil; want an error", m)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseMessage error = %q; want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestMessageXMLRoundTrip(t *testing.T) {
	msgs := []Message{
		{ToUser: "gh_1", FromUser: "o1", CreateTime: 1700000000, MsgType: "text", Content: "路灯坏了 ]]> <b>&amp;", MsgID: 42},
		{ToUser: "gh_1", FromUser: "o1", CreateTime: 1, MsgType: "image", PicURL: "http://x/y.jpg", MediaID: "m", MsgID: 43},
		{ToUser: "gh_1", FromUser: "o1", CreateTime: 1, MsgType: "voice", MediaID: "m", Format: "amr", Recognition: "你好", MsgID: 44},
		{ToUser: "gh_1", FromUser: "o1", CreateTime: 1, MsgType: "location", LocationX: 23.134521, LocationY: -113.5, Scale: 15, Label: "某地", MsgID: 45},
		{ToUser: "gh_1", FromUser: "o1", CreateTime: 1, MsgType: "event", Event: "subscribe"},
		{ToUser: "gh_1", FromUser: "o1", CreateTime: 1, MsgType: "event", Event: "CLICK", EventKey: "RATE_1"},
		{ToUser: "gh_1", FromUser: "o1", CreateTime: 1, MsgType: "video", MediaID: "v", MsgID: 46},
	}
	for _, m := range msgs {
		t.Run(m.MsgType+m.Event, func(t *testing.T) {
			got, err := ParseMessage(m.XML())
			if err != nil {
				t.Fatalf("ParseMessage(%s): %v", m.XML(), err)
			}
			if got != m {
				t.Errorf("ParseMessage(m.XML()) = %+v; want %+v", got, m)
			}
		})
	}
	// The exact bytes WeChat sends for a text message.
	m := Message{ToUser: "toUser", FromUser: "fromUser", CreateTime: 1348831860, MsgType: "text", Content: "this is a test", MsgID: 1234567890123456}
	want := `<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId></xml>`
	if got := string(m.XML()); got != want {
		t.Errorf("XML() = %s; want %s", got, want)
	}
}

func TestParseEnvelope(t *testing.T) {
	body := `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[` + spamEnc + `]]></Encrypt></xml>`
	e, err := ParseEnvelope([]byte(body))
	if err != nil {
		t.Fatalf("ParseEnvelope: %v", err)
	}
	if e.ToUserName != "gh_10f6c3c3ac5a" || e.Encrypt != spamEnc {
		t.Errorf("ParseEnvelope = %+v", e)
	}
	for _, bad := range []string{
		`<xml><ToUserName>gh</ToUserName></xml>`,
		`<!DOCTYPE xml><xml><Encrypt>x</Encrypt></xml>`,
		`<xml><Encrypt>x</Encrypt><Encrypt>y</Encrypt></xml>`,
	} {
		if e, err := ParseEnvelope([]byte(bad)); err == nil {
			t.Errorf("ParseEnvelope(%s) = %+v, nil; want an error", bad, e)
		}
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(`<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId></xml>`))
	f.Add(Message{ToUser: "gh", FromUser: "o", MsgType: "location", LocationX: 1.5, LocationY: 2, Scale: 3, Label: "l", MsgID: 9}.XML())
	f.Add(Message{ToUser: "gh", FromUser: "o", MsgType: "location", LocationX: 1.5, LocationY: 2, Scale: 16.25, Label: "l", MsgID: 10}.XML())
	f.Add(Message{ToUser: "gh", FromUser: "o", MsgType: "event", Event: "CLICK", EventKey: "k"}.XML())
	f.Add([]byte(`<!DOCTYPE xml [<!ENTITY e "x">]><xml><Content>&e;</Content></xml>`))
	f.Add([]byte(`<xml><MsgId>1</MsgId><MsgId>2</MsgId></xml>`))
	f.Add([]byte(`<?xml version="1.0"?><xml><a><b/></a></xml>`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		// Whatever parses, the Driver can send again, and it parses again.
		out := m.XML()
		m2, err := ParseMessage(out)
		if err != nil {
			t.Fatalf("ParseMessage(%q) ok, but its XML %q does not parse: %v", b, out, err)
		}
		if m2.FromUser != m.FromUser && !bytes.ContainsRune([]byte(m.FromUser), '\r') {
			t.Fatalf("FromUser %q became %q", m.FromUser, m2.FromUser)
		}
	})
}

// unmarshalled is what xml.Unmarshal makes of a callback or reply: the
// oracle for decodeDoc's one-pass reading.
type unmarshalled struct {
	ToUserName, FromUserName, CreateTime, MsgType, Content string
	MsgID                                                  string `xml:"MsgId"`
	PicURL                                                 string `xml:"PicUrl"`
	MediaID                                                string `xml:"MediaId"`
	Format, Recognition                                    string
	LocationX                                              string `xml:"Location_X"`
	LocationY                                              string `xml:"Location_Y"`
	Scale, Label, Event, EventKey, Encrypt                 string
}

// FuzzDecodeDocAsUnmarshal checks that whatever decodeDoc accepts,
// xml.Unmarshal accepts too and reads the same text for every field.
func FuzzDecodeDocAsUnmarshal(f *testing.F) {
	for _, s := range []string{
		`<xml><ToUserName><![CDATA[gh]]></ToUserName><Content>a<![CDATA[<b>]]>c</Content></xml>`,
		`<xml><Content>a<i>skipped</i>b</Content><Other><Content>deep</Content></Other></xml>`,
		`<xml xmlns:w="urn:w"><w:Content>ns</w:Content><Encrypt>e</Encrypt></xml>`,
		`<xml><Content>&lt;&amp;&#x4e2d;</Content><!-- c --><?pi x?></xml>`,
		"<xml>\n  <MsgId> 12 </MsgId>\r\n</xml>\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got unmarshalled
		fields := map[string]*string{
			"ToUserName": &got.ToUserName, "FromUserName": &got.FromUserName, "CreateTime": &got.CreateTime,
			"MsgType": &got.MsgType, "Content": &got.Content, "MsgId": &got.MsgID, "PicUrl": &got.PicURL,
			"MediaId": &got.MediaID, "Format": &got.Format, "Recognition": &got.Recognition,
			"Location_X": &got.LocationX, "Location_Y": &got.LocationY, "Scale": &got.Scale,
			"Label": &got.Label, "Event": &got.Event, "EventKey": &got.EventKey, "Encrypt": &got.Encrypt,
		}
		if err := decodeDoc(b, fields, messageFields); err != nil {
			return
		}
		var want unmarshalled
		if err := xml.Unmarshal(b, &want); err != nil {
			t.Fatalf("decodeDoc accepted %q, xml.Unmarshal did not: %v", b, err)
		}
		if got != want {
			t.Fatalf("decodeDoc(%q)\n got %+v\nwant %+v", b, got, want)
		}
	})
}
