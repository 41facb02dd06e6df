package config

import (
	"strings"
	"testing"
	"time"
)

func TestJobsAndLadderRejectBadValuesNamingTheKey(t *testing.T) {
	tests := []struct{ yaml, key string }{
		{"jobs: {remind: {schedule: 'every morning'}}", "jobs.remind.schedule"},
		{"jobs: {remind: {schedule: '@every 15m'}}", "jobs.remind.schedule"},
		{"deadlines: {ladder: [{level: Remind, to: group, workdays: -1}]}", "deadlines.ladder[0].level"},
		{"deadlines: {ladder: [{level: accept, to: group, workdays: -1}]}", "deadlines.ladder[0].level"},
		{"deadlines: {ladder: [{level: a, to: group, workdays: 0}, {level: a, to: head, workdays: 1}]}", "deadlines.ladder[1].level"},
		{"deadlines: {ladder: [{level: a, to: mayor, workdays: 0}]}", "deadlines.ladder[0].to"},
		{"deadlines: {ladder: [{level: a, to: head, workdays: 99}]}", "deadlines.ladder[0].workdays"},
		{"deadlines: {ladder: [{level: a, to: head, workdays: 2}, {level: b, to: group, workdays: -1}]}", "deadlines.ladder[1].workdays"},
		{"deadlines: {accept_within: soon}", "soon"},
		{"deadlines: {accept_return_after: 0wd}", "0wd"},
		{"calendar: {warn_from: November}", "calendar.warn_from"},
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

// TestCheckJobNames: a job config.yaml names must be one of the job table's.
func TestCheckJobNames(t *testing.T) {
	known := []string{"calendar", "remind"}
	c, err := Parse([]byte("jobs: {remindr: {schedule: '0 9 * * *'}}"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckJobNames(known); err == nil || !strings.Contains(err.Error(), "jobs.remindr") || !strings.Contains(err.Error(), "calendar, remind") {
		t.Errorf("CheckJobNames = %v; want an error naming jobs.remindr and the known jobs", err)
	}
	c, err = Parse([]byte("jobs: {remind: {enabled: false}}"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckJobNames(known); err != nil {
		t.Errorf("CheckJobNames(remind) = %v; want nil", err)
	}
}

func TestJobSettingsKeepDefaults(t *testing.T) {
	c, err := Parse([]byte("jobs: {remind: {enabled: false}, calendar: {schedule: '30 8 * * *'}}\ncalendar: {years: []}\ndeadlines: {accept_within: 4h}"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		job, def string
		schedule string
		enabled  bool
	}{
		{"remind", "*/15 8-18 * * *", "*/15 8-18 * * *", false},
		{"calendar", "0 9 * * *", "30 8 * * *", true},
		{"rating", "0 10 * * *", "0 10 * * *", true},
	}
	for _, tc := range cases {
		s, on := c.JobSetting(tc.job, tc.def)
		if s != tc.schedule || on != tc.enabled {
			t.Errorf("JobSetting(%s) = %q, %v; want %q, %v", tc.job, s, on, tc.schedule, tc.enabled)
		}
	}
	if c.Deadlines.AcceptWithin != (Span{Duration: 4 * time.Hour}) || c.Deadlines.AcceptReturnAfter != (Span{Workdays: 1}) {
		t.Errorf("accept spans = %v, %v; want 4h and the default 1wd", c.Deadlines.AcceptWithin, c.Deadlines.AcceptReturnAfter)
	}
	if m, d := c.Calendar.WarnFromDay(); m != time.November || d != 1 {
		t.Errorf("calendar.warn_from = %v-%d; want the default 11-01", m, d)
	}
	if len(c.Deadlines.Ladder) != 4 || c.Deadlines.Ladder[3] != (LadderStep{Level: "joint", To: "joint", Workdays: 3}) {
		t.Errorf("ladder = %+v; want the default four steps", c.Deadlines.Ladder)
	}
}
