package jobs_test

import (
	"slices"
	"testing"

	"minsheng/jobs"
)

// TestTableDefaults: the jobs and their default schedules (DOMAIN.md).
func TestTableDefaults(t *testing.T) {
	want := map[string]string{
		"informant_remind": "0 15 * * 5",
		"remind":           "*/15 8-18 * * *", "calendar": "0 9 * * *", "weekly_summary": "0 9 * * 1",
		"monthly_report": "0 8 1 * *", "serious_chase": "*/5 * * * *", "rating": "0 10 * * *",
		"feedback_digest": "30 17 * * *",
		"hot_topics":      "*/5 * * * *",
	}
	got := map[string]string{}
	for _, n := range jobs.Table {
		if _, dup := got[n.Name]; dup {
			t.Errorf("job %s is listed twice", n.Name)
		}
		got[n.Name] = n.Schedule
		if _, err := jobs.ParseSchedule(n.Schedule); err != nil {
			t.Errorf("job %s: %v", n.Name, err)
		}
		if n.Run == nil {
			t.Errorf("job %s has no body", n.Name)
		}
	}
	for name, s := range want {
		if got[name] != s {
			t.Errorf("Table[%s].Schedule = %q; want %q", name, got[name], s)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Table has %d jobs %v; want %d", len(got), jobs.Names(), len(want))
	}
	if names := jobs.Names(); !slices.IsSorted(names) || len(names) != len(want) {
		t.Errorf("Names() = %v; want the %d names sorted", names, len(want))
	}
}

// TestWorkJobsTakeSettings: each bound job carries the schedule and on/off
// the setting gives it, and its body is the table's.
func TestWorkJobsTakeSettings(t *testing.T) {
	w := &jobs.Work{}
	js := w.Jobs(func(name, schedule string) (string, bool) {
		if name == "calendar" {
			return "30 8 * * *", false
		}
		return schedule, true
	})
	if len(js) != len(jobs.Table) {
		t.Fatalf("Jobs() = %d jobs; want %d", len(js), len(jobs.Table))
	}
	for i, j := range js {
		n := jobs.Table[i]
		if j.Name != n.Name || j.Run == nil {
			t.Errorf("Jobs()[%d] = %s; want %s with a body", i, j.Name, n.Name)
		}
		if j.Name == "calendar" && (j.Schedule != "30 8 * * *" || !j.Disabled) {
			t.Errorf("calendar = %q, disabled %v; want the setting's 30 8 * * *, disabled", j.Schedule, j.Disabled)
		}
		if j.Name == "remind" && (j.Schedule != n.Schedule || j.Disabled) {
			t.Errorf("remind = %q, disabled %v; want the default, enabled", j.Schedule, j.Disabled)
		}
	}
}
