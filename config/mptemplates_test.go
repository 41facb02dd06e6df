package config

import (
	"strings"
	"testing"
)

func TestMPTemplates(t *testing.T) {
	c, err := Parse([]byte(`mp: {templates: {default: {id: T1, fields: {case_no: keyword1, summary: keyword2}},
  citizen_answer: {id: T2, fields: {case_no: character_string1, 结果: thing2}}}}`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := c.MP.Templates["citizen_answer"]; got.ID != "T2" || got.Fields["结果"] != "thing2" || got.Fields["case_no"] != "character_string1" {
		t.Errorf("mp.templates.citizen_answer = %+v", got)
	}
}

func TestMPTemplatesRejectBadValuesNamingTheKey(t *testing.T) {
	tests := []struct{ name, yaml, key string }{
		{"OldTemplateID", "mp: {template_id: T1}", "mp.templates.<purpose>"},
		{"NoID", "mp: {templates: {default: {fields: {case_no: keyword1}}}}", "mp.templates.default.id"},
		{"NoCaseNo", "mp: {templates: {default: {id: T1, fields: {summary: keyword1}}}}", "mp.templates.default.fields.case_no"},
		{"First", "mp: {templates: {x: {id: T1, fields: {case_no: keyword1, summary: first}}}}", "mp.templates.x.fields.summary"},
		{"Remark", "mp: {templates: {x: {id: T1, fields: {case_no: keyword1, time: remark}}}}", "no longer shown"},
		{"BadKey", "mp: {templates: {x: {id: T1, fields: {case_no: 'key word'}}}}", "mp.templates.x.fields.case_no"},
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
