package config

import (
	"strings"
	"testing"
	"time"
)

func TestShippedDingTalkDefaults(t *testing.T) {
	c, err := Load("../config.yaml")
	if err != nil {
		t.Fatalf("Load(config.yaml) = %v", err)
	}
	d := c.DingTalk
	if d.APIBase != "https://api.dingtalk.com" || d.OAPIBase != "https://oapi.dingtalk.com" || d.Mode != "http" {
		t.Errorf("dingtalk = %+v; want the public hosts and http mode", d)
	}
	if d.CallbackSkew.D() != time.Hour || d.ReplyTimeout.D() <= 0 || d.StreamRetry.D() <= 0 {
		t.Errorf("dingtalk durations = %v %v %v; want 1h skew and positive timeouts", d.CallbackSkew.D(), d.ReplyTimeout.D(), d.StreamRetry.D())
	}
	if d.Configured() {
		t.Errorf("shipped config has a DingTalk app; want none (sandbox)")
	}
}

func TestDingTalkBadValuesNameTheKey(t *testing.T) {
	const off = "server: {sandbox: 'off'}\nmp: {app_id: wx1, token: t}\n"
	tests := []struct{ name, yaml, key string }{
		{"mode", "dingtalk: {mode: websocket}", "dingtalk.mode"},
		{"secret missing", "dingtalk: {app_key: dingkey}", "dingtalk.app_secret"},
		{"key missing", "dingtalk: {app_secret: s}", "dingtalk.app_key"},
		{"api base", "dingtalk: {api_base: 'api.dingtalk.com'}", "dingtalk.api_base"},
		{"oapi base", "dingtalk: {oapi_base: ''}", "dingtalk.oapi_base"},
		{"skew", "dingtalk: {callback_skew: 0s}", "dingtalk.callback_skew"},
		{"reply timeout", "dingtalk: {reply_timeout: -1s}", "dingtalk.reply_timeout"},
		{"webhook", "org: {departments: [{name: A, code: a, platform: dingtalk, dingtalk_webhook: 'not a url'}]}", "org.departments[0].dingtalk_webhook"},
		{"joint webhook", "org: {joint_meeting: {name: J, dingtalk_webhook: '/robot/send'}}", "org.joint_meeting.dingtalk_webhook"},
		{"unit without app", off + "org: {departments: [{name: A, code: a, platform: dingtalk}]}", "dingtalk.app_key"},
		{"member without app", off + "org: {members: [{name: 张, user_id: z, role: leader, platform: dingtalk}]}", "dingtalk.app_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Errorf("Parse(%q) = %v; want an error naming %s", tt.yaml, err, tt.key)
			}
		})
	}
}

func TestDingTalkFromEnvironment(t *testing.T) {
	t.Setenv("MINSHENG_DINGTALK_APP_KEY", "dingenvkey")
	t.Setenv("MINSHENG_DINGTALK_APP_SECRET", "envsecret")
	t.Setenv("MINSHENG_DINGTALK_MODE", "stream")
	c, err := Parse([]byte("server: {sandbox: 'on'}\ndingtalk: {app_secret: from-file, robot_code: robot1}\n" +
		"org: {departments: [{name: A, code: a, platform: dingtalk, dingtalk_webhook: 'https://oapi.dingtalk.com/robot/send?access_token=x'}]}"))
	if err != nil {
		t.Fatal(err)
	}
	d := c.DingTalk
	if d.AppKey != "dingenvkey" || d.AppSecret != "envsecret" || d.Mode != "stream" || d.RobotCode != "robot1" {
		t.Errorf("dingtalk = key %q secret %q mode %q robot %q; want the environment's over the file's", d.AppKey, d.AppSecret, d.Mode, d.RobotCode)
	}
}
