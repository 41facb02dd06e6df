package wecom

import (
	"encoding/xml"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func sampleVerifyQuery() url.Values {
	return url.Values{
		"msg_signature": {sampleVerifySig},
		"timestamp":     {sampleVerifyTS},
		"nonce":         {sampleVerifyNonce},
		"echostr":       {sampleEchoStr},
	}
}

func samplePostQuery() url.Values {
	return url.Values{
		"msg_signature": {samplePostSig},
		"timestamp":     {samplePostTS},
		"nonce":         {samplePostNonce},
	}
}

func TestVerifyURLGolden(t *testing.T) {
	got, err := VerifyURL(sampleToken, sampleAESKey, sampleCorpID, sampleVerifyQuery())
	if err != nil {
		t.Fatalf("VerifyURL: %v", err)
	}
	if string(got) != sampleEchoPlain {
		t.Errorf("VerifyURL = %q; want %q", got, sampleEchoPlain)
	}
}

func TestVerifyURLRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(url.Values)
		token  string
		want   error
	}{
		{"WrongToken", func(url.Values) {}, "other", ErrSignature},
		{"NoSignature", func(q url.Values) { q.Del("msg_signature") }, sampleToken, ErrSignature},
		{"WrongTimestamp", func(q url.Values) { q.Set("timestamp", "1409659590") }, sampleToken, ErrSignature},
		{"NoEchoStr", func(q url.Values) { q.Del("echostr") }, sampleToken, ErrMalformed},
		{"PlusDecodedAsSpace", func(q url.Values) { q.Set("echostr", strings.ReplaceAll(sampleEchoStr, "+", " ")) }, sampleToken, ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := sampleVerifyQuery()
			tt.change(q)
			if _, err := VerifyURL(tt.token, sampleAESKey, sampleCorpID, q); !errors.Is(err, tt.want) {
				t.Errorf("VerifyURL: %v; want %v", err, tt.want)
			}
		})
	}
}

func TestOpenCallbackGolden(t *testing.T) {
	plain, err := OpenCallback(sampleToken, sampleAESKey, sampleCorpID, samplePostQuery(), []byte(samplePostBody))
	if err != nil {
		t.Fatalf("OpenCallback: %v", err)
	}
	if string(plain) != samplePostPlain {
		t.Fatalf("OpenCallback = %q; want %q", plain, samplePostPlain)
	}
	ev, err := ParseEvent(plain)
	if err != nil {
		t.Fatalf("ParseEvent: %v", err)
	}
	want := Event{
		ToUserName:   sampleCorpID,
		FromUserName: "mycreate",
		CreateTime:   1409659813,
		MsgType:      "text",
		AgentID:      218,
		Content:      "hello",
		MsgID:        "4561255354251345929",
	}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("ParseEvent = %+v; want %+v", ev, want)
	}
}

func TestOpenCallbackRejects(t *testing.T) {
	tests := []struct {
		name  string
		query url.Values
		body  string
		want  error
	}{
		{"WrongSignature", url.Values{"msg_signature": {sampleVerifySig}, "timestamp": {samplePostTS}, "nonce": {samplePostNonce}}, samplePostBody, ErrSignature},
		{"NoSignature", url.Values{"timestamp": {samplePostTS}, "nonce": {samplePostNonce}}, samplePostBody, ErrSignature},
		{"WrongNonce", url.Values{"msg_signature": {samplePostSig}, "timestamp": {samplePostTS}, "nonce": {"1"}}, samplePostBody, ErrSignature},
		{"Empty", samplePostQuery(), "", ErrMalformed},
		{"NotXML", samplePostQuery(), "hello", ErrMalformed},
		{"WrongRoot", samplePostQuery(), "<x><Encrypt>" + samplePostEncrypt + "</Encrypt></x>", ErrMalformed},
		{"NoEncrypt", samplePostQuery(), "<xml><ToUserName>a</ToUserName></xml>", ErrMalformed},
		{"Doctype", samplePostQuery(), `<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + samplePostBody, ErrMalformed},
		{"DoctypeLowercase", samplePostQuery(), `<!doctype xml>` + samplePostBody, ErrMalformed},
		{"TooLarge", samplePostQuery(), samplePostBody + strings.Repeat(" ", MaxBodySize), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := OpenCallback(sampleToken, sampleAESKey, sampleCorpID, tt.query, []byte(tt.body)); !errors.Is(err, tt.want) {
				t.Errorf("OpenCallback: %v; want %v", err, tt.want)
			}
		})
	}
}

func TestOpenCallbackWrongCorp(t *testing.T) {
	_, err := OpenCallback(sampleToken, sampleAESKey, "wwother", samplePostQuery(), []byte(samplePostBody))
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("OpenCallback for another corp: %v; want ErrMalformed", err)
	}
}

const sampleCardEvent = `<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[template_card_event]]></Event>
<EventKey><![CDATA[key111]]></EventKey>
<TaskId><![CDATA[taskid111]]></TaskId>
<CardType><![CDATA[text_notice]]></CardType>
<ResponseCode><![CDATA[ResponseCode]]></ResponseCode>
<AgentID>1</AgentID>
<SelectedItems>
    <SelectedItem>
        <QuestionKey><![CDATA[QuestionKey1]]></QuestionKey>
        <OptionIds>
            <OptionId><![CDATA[OptionId1]]></OptionId>
            <OptionId><![CDATA[OptionId2]]></OptionId>
        </OptionIds>
    </SelectedItem>
    <SelectedItem>
        <QuestionKey><![CDATA[QuestionKey2]]></QuestionKey>
        <OptionIds>
            <OptionId><![CDATA[OptionId3]]></OptionId>
        </OptionIds>
    </SelectedItem>
</SelectedItems>
</xml>`

func TestParseEventTemplateCard(t *testing.T) {
	ev, err := ParseEvent([]byte(sampleCardEvent))
	if err != nil {
		t.Fatalf("ParseEvent: %v", err)
	}
	want := Event{
		ToUserName:   "toUser",
		FromUserName: "FromUser",
		CreateTime:   123456789,
		MsgType:      "event",
		AgentID:      1,
		Event:        EventTemplateCard,
		EventKey:     "key111",
		TaskID:       "taskid111",
		CardType:     "text_notice",
		ResponseCode: "ResponseCode",
		SelectedItems: []SelectedItem{
			{QuestionKey: "QuestionKey1", OptionIDs: []string{"OptionId1", "OptionId2"}},
			{QuestionKey: "QuestionKey2", OptionIDs: []string{"OptionId3"}},
		},
	}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("ParseEvent =\n%+v\nwant\n%+v", ev, want)
	}
}

func TestParseEventRejects(t *testing.T) {
	tests := []struct {
		name, plain string
	}{
		{"Empty", ""},
		{"NotXML", "{}"},
		{"WrongRoot", "<doc><MsgType>text</MsgType><FromUserName>a</FromUserName></doc>"},
		{"NoMsgType", "<xml><FromUserName>a</FromUserName></xml>"},
		{"NoFrom", "<xml><MsgType>text</MsgType></xml>"},
		{"EventWithoutEvent", "<xml><MsgType>event</MsgType><FromUserName>a</FromUserName></xml>"},
		{"BadCreateTime", "<xml><MsgType>text</MsgType><FromUserName>a</FromUserName><CreateTime>soon</CreateTime></xml>"},
		{"BadAgentID", "<xml><MsgType>text</MsgType><FromUserName>a</FromUserName><AgentID>x</AgentID></xml>"},
		{"Doctype", `<!DOCTYPE xml><xml><MsgType>text</MsgType><FromUserName>a</FromUserName></xml>`},
		{"UnknownEntity", "<xml><MsgType>text</MsgType><FromUserName>&xxe;</FromUserName></xml>"},
		{"Unclosed", "<xml><MsgType>text</MsgType><FromUserName>a</FromUserName>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ev, err := ParseEvent([]byte(tt.plain)); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseEvent(%q) = %+v, %v; want ErrMalformed", tt.plain, ev, err)
			}
		})
	}
}

func TestParseEventOtherTypes(t *testing.T) {
	ev, err := ParseEvent([]byte("<xml><FromUserName>a</FromUserName><MsgType>image</MsgType><PicUrl>x</PicUrl></xml>"))
	if err != nil || ev.MsgType != "image" || ev.FromUserName != "a" {
		t.Errorf("ParseEvent(image) = %+v, %v; want MsgType image from a", ev, err)
	}
}

func TestPassiveReplyRoundTrip(t *testing.T) {
	plain := UpdateButtonReply("zhangsan", sampleCorpID, 1409659813, "已签收")
	body, err := PassiveReply(sampleToken, sampleAESKey, sampleCorpID, plain, "1409659813", "1372623149", nil)
	if err != nil {
		t.Fatalf("PassiveReply: %v", err)
	}
	got, err := OpenPassiveReply(sampleToken, sampleAESKey, sampleCorpID, body)
	if err != nil {
		t.Fatalf("OpenPassiveReply: %v", err)
	}
	if string(got) != string(plain) {
		t.Errorf("OpenPassiveReply = %q; want %q", got, plain)
	}
	if _, err := OpenPassiveReply("other", sampleAESKey, sampleCorpID, body); !errors.Is(err, ErrSignature) {
		t.Errorf("OpenPassiveReply with the wrong token: %v; want ErrSignature", err)
	}
	tampered := strings.Replace(string(body), "<TimeStamp>1409659813<", "<TimeStamp>1409659814<", 1)
	if _, err := OpenPassiveReply(sampleToken, sampleAESKey, sampleCorpID, []byte(tampered)); !errors.Is(err, ErrSignature) {
		t.Errorf("OpenPassiveReply with a changed TimeStamp: %v; want ErrSignature", err)
	}
}

func TestPassiveReplyBadInput(t *testing.T) {
	if _, err := PassiveReply(sampleToken, sampleAESKey, sampleCorpID, []byte("<xml/>"), "12a", "n", nil); err == nil {
		t.Error("PassiveReply with a non-numeric timestamp succeeded")
	}
	if _, err := PassiveReply(sampleToken, sampleAESKey, sampleCorpID, []byte("<xml/>"), "12", "", nil); err == nil {
		t.Error("PassiveReply with an empty nonce succeeded")
	}
}

func TestUpdateButtonReply(t *testing.T) {
	got := string(UpdateButtonReply("zhangsan", "wwcorp", 1700000000, "已签收"))
	want := "<xml><ToUserName><![CDATA[zhangsan]]></ToUserName><FromUserName><![CDATA[wwcorp]]></FromUserName>" +
		"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[update_button]]></MsgType>" +
		"<Button><ReplaceName><![CDATA[已签收]]></ReplaceName></Button></xml>"
	if got != want {
		t.Errorf("UpdateButtonReply = %s; want %s", got, want)
	}
}

func TestCDATASplitsTerminator(t *testing.T) {
	plain := UpdateButtonReply("a", "b", 1, "x]]><y>")
	var x struct {
		Name string `xml:"Button>ReplaceName"`
	}
	if err := xml.Unmarshal(plain, &x); err != nil || x.Name != "x]]><y>" {
		t.Errorf("ReplaceName round trip = %q, %v; want %q", x.Name, err, "x]]><y>")
	}
}
