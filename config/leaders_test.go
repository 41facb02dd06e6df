package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestShippedLeaderSettings(t *testing.T) {
	c, err := Load("../config.yaml")
	if err != nil {
		t.Fatalf("Load(config.yaml) = %v", err)
	}
	if !reflect.DeepEqual(c.Review.Default, []string{"head"}) || c.Review.MinAnswerLength < 1 || len(c.Review.BoilerplatePhrases) == 0 {
		t.Errorf("shipped review = %+v; want [head] and the checks set", c.Review)
	}
	if c.Deadlines.ReportUpLarge.D() != 0 || len(c.Serious.ReportUp) != 0 || c.Deadlines.ExtensionWorkdays != 5 {
		t.Errorf("shipped report_up_large %v, report_up %v, extension_workdays %d; want 0, none and 5 in total",
			c.Deadlines.ReportUpLarge.D(), c.Serious.ReportUp, c.Deadlines.ExtensionWorkdays)
	}
	if c.Serious.ChaseEvery.D() != 15*time.Minute || c.Server.LinkTTL.D() != 72*time.Hour {
		t.Errorf("shipped chase %v, link ttl %v; want 15m and 72h", c.Serious.ChaseEvery.D(), c.Server.LinkTTL.D())
	}
}

func TestParseRejectsBadLeaderSettings(t *testing.T) {
	org := "org: {departments: [{name: 城管, code: cg}], members: [%s]}"
	tests := []struct{ yaml, key string }{
		{"review: {default: []}", "review.default"},
		{"review: {default: [boss]}", "review.default"},
		{"review: {default: [head, head]}", "review.default"},
		{"review: {min_answer_length: 0}", "review.min_answer_length"},
		{"review: {sensitive_words: ['']}", "review.sensitive_words[0]"},
		{"serious: {chase_every: 0s}", "serious.chase_every"},
		{"server: {link_ttl: 0s}", "server.link_ttl"},
		{"server: {link_secret: short}", "server.link_secret"},
		{"org: {departments: [{name: 城管, code: cg, review: [leader, mayor]}]}", "org.departments[0].review"},
		{strings.Replace(org, "%s", "{name: 林, user_id: l2, role: leader, scope: [zj]}", 1), "org.members[0].scope"},
		{strings.Replace(org, "%s", "{name: 李, user_id: o1, role: officer, department: cg, scope: [cg]}", 1), "org.members[0].scope"},
		{"deadlines: {report_up_large: -1h}", "deadlines.report_up_large"},
		{"serious: {report_up: [{wecom_robot_key: k}]}", "serious.report_up[0].name"},
		{"serious: {report_up: [{name: 县网信办}]}", "serious.report_up[0]"},
		{"serious: {report_up: [{name: 党组, wecom_robot_key: a}, {name: 党组, wecom_robot_key: b}]}", "serious.report_up[1].name"},
		{"serious: {report_up: [{name: 党组, members: [nobody]}]}", "serious.report_up[0].members[0]"},
		{"feedback: {recipients: [{name: 县信访局}]}", "feedback.recipients[0]"},
		{"feedback: {recipients: [{wecom_robot_key: k}]}", "feedback.recipients[0].name"},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Errorf("Parse(%q) = %v; want an error naming %s", tt.yaml, err, tt.key)
			}
		})
	}
	up := strings.Replace(org, "%s", "{name: 陈, user_id: l1, role: leader}", 1) + "\nserious: {report_up: [{name: 县网信办, dingtalk_webhook: 'https://oapi.dingtalk.com/robot/send?access_token=x'}, {name: 党组, members: [l1]}]}"
	if c, err := Parse([]byte(up)); err != nil || len(c.Serious.ReportUp) != 2 || c.Serious.ReportUp[1].Members[0] != "l1" {
		t.Errorf("Parse with serious.report_up = %+v, %v", c, err)
	}
	t.Setenv("MINSHENG_LINK_SECRET", "from-the-environment-0123456789")
	c, err := Parse([]byte(strings.Replace(org, "%s", "{name: 林, user_id: l2, role: leader, scope: [cg]}", 1)))
	if err != nil || c.Server.LinkSecret != "from-the-environment-0123456789" || !reflect.DeepEqual(c.Org.Members[0].Scope, []string{"cg"}) {
		t.Errorf("Parse with a scope and MINSHENG_LINK_SECRET = %+v, %v", c, err)
	}
}
