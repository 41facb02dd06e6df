package jobs

import (
	"testing"
	"time"
)

// TestOccurrenceAt: cron firing a little early or late, on any instance,
// names the same occurrence.
func TestOccurrenceAt(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	sched, err := ParseSchedule("*/15 8-18 * * *")
	if err != nil {
		t.Fatal(err)
	}
	at := func(h, m, s, ms int) time.Time { return time.Date(2026, 11, 23, h, m, s, ms*1e6, sh) }
	cases := []struct {
		name string
		now  time.Time
		want string
	}{
		{"on time", at(9, 0, 0, 0), "2026-11-23T09:00"},
		{"a little late", at(9, 0, 0, 40), "2026-11-23T09:00"},
		{"a clock 2s behind", at(8, 59, 58, 0), "2026-11-23T09:00"},
		{"a clock 20s ahead", at(9, 15, 20, 0), "2026-11-23T09:15"},
		{"far from any tick", at(9, 7, 0, 0), "2026-11-23T09:07"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Occurrence(occurrenceAt(sched, c.now), sh); got != c.want {
				t.Errorf("occurrenceAt(%s) = %s; want %s", c.now.Format("15:04:05.000"), got, c.want)
			}
		})
	}
}
