package config

import (
	"strings"
	"testing"
)

func TestReportsSettings(t *testing.T) {
	c, err := Load("../config.yaml")
	if err != nil {
		t.Fatalf("Load(config.yaml) = %v", err)
	}
	if c.Reports != (Reports{Dir: "data/reports", RateDays: 28, OverdueList: 10, FlagRule: "both"}) {
		t.Errorf("shipped reports = %+v", c.Reports)
	}
	if c.Assessment != defaultAssessment() {
		t.Errorf("shipped assessment = %+v; want the defaults %+v", c.Assessment, defaultAssessment())
	}
	for name, want := range map[string]string{"weekly_summary": "0 9 * * 1", "monthly_report": "0 8 1 * *"} {
		if sched, on := c.JobSetting(name, ""); sched != want || !on {
			t.Errorf("jobs.%s = %q, enabled %v; want %q on", name, sched, on, want)
		}
	}
}

func TestReportsRejectsBadValuesNamingTheKey(t *testing.T) {
	tests := []struct{ yaml, key string }{
		{"reports: {dir: ''}", "reports.dir"},
		{"reports: {rate_days: 0}", "reports.rate_days"},
		{"reports: {overdue_list: -1}", "reports.overdue_list"},
		{"reports: {flag_rule: any}", "reports.flag_rule"},
		{"assessment: {overdue: -1}", "assessment.overdue"},
		{"reports: {colour: red}", "colour"},
		{"deadlines: {reply_rate_target: 90}", "deadlines.reply_rate_target"},
		{"deadlines: {satisfaction_target: 0}", "deadlines.satisfaction_target"},
		{"jobs: {weekly_summary: {schedule: 'every monday'}}", "jobs.weekly_summary.schedule"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Errorf("Parse(%q) = %v; want an error naming %s", tt.yaml, err, tt.key)
			}
		})
	}
}
