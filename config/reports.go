package config

import "fmt"

// Reports are the settings of the weekly summary (jobs.weekly_summary) and
// the monthly report (jobs.monthly_report); their schedules are under jobs:.
type Reports struct {
	// Dir is where monthly workbooks are written.
	Dir string `yaml:"dir"`
	// RateDays is how many days of cases, up to the end of the week summed
	// up, the weekly rates are over.
	RateDays int `yaml:"rate_days"`
	// OverdueList is how many of the longest-overdue cases the weekly
	// summary lists.
	OverdueList int `yaml:"overdue_list"`
	// FlagRule names units for their rates: both (the regulation's
	// "回复率和满意率均低于90%") or either rate under its target.
	FlagRule string `yaml:"flag_rule"`
}

// Assessment is assessment.*: the weights of the 考核 scoring sheet
// (`minsheng report --quarter 2026Q4 | --year 2026`, the dashboard's
// ranking). A unit scores the rates times their weights, less the counts
// times theirs.
type Assessment struct {
	ReplyRate        float64 `yaml:"reply_rate"`
	OnTimeRate       float64 `yaml:"on_time_rate"`
	SatisfactionRate float64 `yaml:"satisfaction_rate"`
	Overdue          float64 `yaml:"overdue"`
	Supervised       float64 `yaml:"supervised"`
	LateReported     float64 `yaml:"late_reported"`
	AppealsUpheld    float64 `yaml:"appeals_upheld"`
}

func defaultAssessment() Assessment {
	return Assessment{ReplyRate: 40, OnTimeRate: 20, SatisfactionRate: 40, Overdue: 1, Supervised: 0.5, LateReported: 1}
}

func defaultReports() Reports {
	return Reports{Dir: "data/reports", RateDays: 28, OverdueList: 10, FlagRule: "both"}
}

// validateReports checks reports.* and the targets the reports name units by.
func (c *Config) validateReports() error {
	bad := func(key, why string) error { return fmt.Errorf("%s: %s", key, why) }
	r := c.Reports
	if r.Dir == "" {
		return bad("reports.dir", "must be set, e.g. data/reports")
	}
	if r.RateDays < 1 || r.RateDays > 366 {
		return bad("reports.rate_days", "must be 1 to 366 days")
	}
	if r.OverdueList < 0 || r.OverdueList > 50 {
		return bad("reports.overdue_list", "must be 0 to 50 cases")
	}
	for key, v := range map[string]float64{
		"assessment.reply_rate": c.Assessment.ReplyRate, "assessment.on_time_rate": c.Assessment.OnTimeRate,
		"assessment.satisfaction_rate": c.Assessment.SatisfactionRate, "assessment.overdue": c.Assessment.Overdue,
		"assessment.supervised": c.Assessment.Supervised, "assessment.late_reported": c.Assessment.LateReported,
		"assessment.appeals_upheld": c.Assessment.AppealsUpheld,
	} {
		if v < 0 || v > 1000 {
			return bad(key, fmt.Sprintf("%v: must be a weight from 0 to 1000", v))
		}
	}
	if r.FlagRule != "both" && r.FlagRule != "either" {
		return bad("reports.flag_rule", fmt.Sprintf("%q: must be both or either", r.FlagRule))
	}
	for key, v := range map[string]float64{
		"deadlines.reply_rate_target": c.Deadlines.ReplyRateTarget, "deadlines.satisfaction_target": c.Deadlines.SatisfactionTarget,
	} {
		if v <= 0 || v > 1 {
			return bad(key, fmt.Sprintf("%v: must be a fraction above 0 and at most 1, e.g. 0.9 for 90%%", v))
		}
	}
	return nil
}
