package config

import (
	"strings"
	"testing"
)

// An informant (舆情信息员) is a member with the unit they report for; the
// mistakes an operator makes writing one are named with the key and what
// to write instead.
func TestInformantMembers(t *testing.T) {
	const ok = "org: {members: [{name: 刘信息, user_id: i1, role: informant, unit: 潇楚街道洋湖社区}]}"
	c, err := Parse([]byte(ok))
	if err != nil {
		t.Fatalf("Parse(%q) = %v; want it accepted", ok, err)
	}
	if m := c.Org.Members[0]; m.Role != "informant" || m.Unit != "潇楚街道洋湖社区" {
		t.Errorf("member = %+v; want the informant of 潇楚街道洋湖社区", m)
	}
	tests := []struct{ name, yaml, want string }{
		{"no unit", "org: {members: [{name: 刘信息, user_id: i1, role: informant}]}",
			"org.members[0].unit: an informant needs the village, community or brigade they report for, e.g. unit: 潇楚街道洋湖社区"},
		{"blank unit", "org: {members: [{name: 刘信息, user_id: i1, role: informant, unit: '  '}]}",
			"org.members[0].unit: an informant needs"},
		{"unit of an officer", "org: {departments: [{name: 城管局, code: cg}], members: [{name: 李承办, user_id: o1, role: officer, department: cg, unit: 洋湖社区}]}",
			"org.members[0].unit: only an informant has a unit"},
		{"long unit", "org: {members: [{name: 刘信息, user_id: i1, role: informant, unit: " + strings.Repeat("洋", 65) + "}]}",
			"org.members[0].unit: at most 64 characters, has 65"},
		{"unknown department", "org: {members: [{name: 刘信息, user_id: i1, role: informant, unit: 一中队, department: nope}]}",
			"org.members[0].department"},
		{"misspelt role", "org: {members: [{name: 刘信息, user_id: i1, role: informer, unit: 洋湖社区}]}",
			`org.members[0].role: "informer": must be officer, head, dispatcher, leader or informant`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) = %v; want an error containing %q", tt.yaml, err, tt.want)
			}
		})
	}
}
