package config

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"
)

// Job is one named background job's entry under jobs: in config.yaml. A
// key left out keeps its default.
type Job struct {
	// Schedule is a cron spec (minute hour day month weekday) in the
	// configured time zone, or a descriptor such as @daily.
	Schedule string `yaml:"schedule"`
	// Enabled false keeps the job off the schedule; run-job still runs it.
	Enabled *bool `yaml:"enabled"`
}

// LadderStep is one rung of the reminder and 督办 ladder (deadlines.ladder).
type LadderStep struct {
	// Level names the step in the 督办 record: remind, overdue, leader, joint.
	Level string `yaml:"level"`
	// To is who is told: group (the lead unit's group), head (its heads),
	// leader (the leaders) or joint (the joint-meeting group).
	To string `yaml:"to"`
	// Workdays places the step: -1 the morning of the working day before
	// the deadline, 0 the deadline, n the end of the n-th working day after.
	Workdays int `yaml:"workdays"`
}

// Span is a length of time written "1wd" (working days, due at the end of
// office hours) or as a duration such as "4h" (calendar time).
type Span struct {
	Workdays int
	Duration time.Duration
}

var spanRe = regexp.MustCompile(`^(\d+)\s*(wd|workdays?|个?工作日)$`)

// ParseSpan reads "1wd", "2 workdays", "1个工作日" or a duration like "4h".
func ParseSpan(s string) (Span, error) {
	t := strings.TrimSpace(s)
	if m := spanRe.FindStringSubmatch(t); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 || n > 365 {
			return Span{}, fmt.Errorf("%q: want 1 to 365 working days, e.g. 1wd", s)
		}
		return Span{Workdays: n}, nil
	}
	d, err := time.ParseDuration(t)
	if err != nil || d <= 0 {
		return Span{}, fmt.Errorf("%q is neither working days like 1wd nor a positive duration like 4h", s)
	}
	return Span{Duration: d}, nil
}

// UnmarshalYAML reads a span.
func (s *Span) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseSpan(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	*s = v
	return nil
}

// MarshalYAML writes the span back as text.
func (s Span) MarshalYAML() (any, error) { return s.String(), nil }

// String writes the span as ParseSpan reads it.
func (s Span) String() string {
	if s.Workdays > 0 {
		return fmt.Sprintf("%dwd", s.Workdays)
	}
	return s.Duration.String()
}

// IsZero reports an unset span.
func (s Span) IsZero() bool { return s.Workdays == 0 && s.Duration == 0 }

// defaultJobs is jobs: before config.yaml is read: empty. The jobs, their
// names and default schedules are the job table's (jobs.Table); an entry
// here overrides one.
func defaultJobs() map[string]Job { return map[string]Job{} }

// defaultLadder is the ladder of DOMAIN.md.
func defaultLadder() []LadderStep {
	return []LadderStep{
		{Level: "remind", To: "group", Workdays: -1},
		{Level: "overdue", To: "head", Workdays: 0},
		{Level: "leader", To: "leader", Workdays: 1},
		{Level: "joint", To: "joint", Workdays: 3},
	}
}

// JobSetting returns the schedule of job name and whether it is on the
// schedule: the config's entry over the job's default schedule.
func (c *Config) JobSetting(name, schedule string) (string, bool) {
	enabled := true
	if j, ok := c.Jobs[name]; ok {
		if j.Schedule != "" {
			schedule = j.Schedule
		}
		if j.Enabled != nil {
			enabled = *j.Enabled
		}
	}
	return schedule, enabled
}

// CheckJobNames reports the first entry under jobs: whose name is not among
// known (the job table's names), naming its key.
func (c *Config) CheckJobNames(known []string) error {
	var names []string
	for name := range c.Jobs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !slices.Contains(known, name) {
			return fmt.Errorf("jobs.%s: no such job (known: %s)", name, strings.Join(known, ", "))
		}
	}
	return nil
}

var (
	levelRe    = regexp.MustCompile(`^[a-z][a-z_]{0,15}$`)
	cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
)

// validateJobs checks the schedules under jobs: (their names are the job
// table's to check: CheckJobNames), deadlines.ladder, deadlines.accept_* and
// calendar.warn_from.
func (c *Config) validateJobs() error {
	bad := func(key, why string) error { return fmt.Errorf("%s: %s", key, why) }
	for name, j := range c.Jobs {
		key := "jobs." + name
		if j.Schedule == "" {
			continue
		}
		s, err := cronParser.Parse(j.Schedule)
		if err != nil {
			return bad(key+".schedule", fmt.Sprintf("%q: %v (want a cron spec such as \"*/15 8-18 * * *\")", j.Schedule, err))
		}
		if _, ok := s.(cron.ConstantDelaySchedule); ok {
			return bad(key+".schedule", "@every is not anchored to the clock; write a cron spec such as \"*/15 * * * *\"")
		}
	}
	d := c.Deadlines
	levels := map[string]bool{}
	for i, st := range d.Ladder {
		key := fmt.Sprintf("deadlines.ladder[%d]", i)
		if !levelRe.MatchString(st.Level) || st.Level == "accept" {
			return bad(key+".level", fmt.Sprintf("%q: lower-case letters and _, up to 16, not \"accept\"", st.Level))
		}
		if levels[st.Level] {
			return bad(key+".level", fmt.Sprintf("%q is used twice", st.Level))
		}
		levels[st.Level] = true
		switch st.To {
		case "group", "head", "leader", "joint":
		default:
			return bad(key+".to", fmt.Sprintf("%q: must be group, head, leader or joint", st.To))
		}
		if st.Workdays < -5 || st.Workdays > 30 {
			return bad(key+".workdays", "must be between -5 and 30 working days from the deadline")
		}
		if i > 0 && st.Workdays < d.Ladder[i-1].Workdays {
			return bad(key+".workdays", "steps must be listed in order, earliest first")
		}
	}
	if d.AcceptWithin.IsZero() {
		return bad("deadlines.accept_within", "must be set, e.g. 1wd or 8h")
	}
	if d.AcceptReturnAfter.IsZero() {
		return bad("deadlines.accept_return_after", "must be set, e.g. 1wd or 8h")
	}
	if _, _, err := parseMonthDay(c.Calendar.WarnFrom); err != nil {
		return bad("calendar.warn_from", err.Error())
	}
	return nil
}

// WarnFromDay is calendar.warn_from: from this month and day on, the
// dispatcher is told daily when next year's holiday notice is missing.
func (c Calendar) WarnFromDay() (time.Month, int) {
	m, d, _ := parseMonthDay(c.WarnFrom)
	return m, d
}

func parseMonthDay(s string) (time.Month, int, error) {
	t, err := time.Parse("01-02", strings.TrimSpace(s))
	if err != nil {
		return 0, 0, fmt.Errorf("%q: want a month and day like 11-01", s)
	}
	return t.Month(), t.Day(), nil
}
