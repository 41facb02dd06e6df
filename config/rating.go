package config

import (
	"fmt"
	"slices"
	"time"
)

// Rating is rating.*: the citizen's rating of an answer (评价), what a
// 不满意 leads to, the reminder and the closing of unrated cases (job
// rating), and who decides a unit's appeal (申诉) of a 不满意.
type Rating struct {
	// Unsatisfied is what a 不满意 leads to: "reopen" (重办: the case goes
	// back to the lead unit with a new deadline) or "dispatcher" (a card
	// to the dispatchers, who reopen or close it).
	Unsatisfied string `yaml:"unsatisfied"`
	// ReasonWithin is how long after a bare 不满意 the citizen's next text
	// is taken as its reason; after it the 不满意 goes ahead without one.
	ReasonWithin Duration `yaml:"reason_within"`
	// RemindAfterWorkdays: an answer not rated after this many working
	// days gets one reminder to the citizen.
	RemindAfterWorkdays int `yaml:"remind_after_workdays"`
	// CloseAfterWorkdays: still not rated this many working days after the
	// reminder, the case closes unrated (counted as unrated, not satisfied).
	CloseAfterWorkdays int `yaml:"close_after_workdays"`
	// ReopenWorkdays is the deadline of a second handling (重办), in working days.
	ReopenWorkdays int `yaml:"reopen_workdays"`
	// AppealDeciders are the roles who decide a unit's appeal: dispatcher
	// (问政办) and/or leader (the joint meeting's leaders; the appeal is then
	// posted in the joint-meeting group too).
	AppealDeciders []string `yaml:"appeal_deciders"`
}

func defaultRating() Rating {
	return Rating{
		Unsatisfied: "reopen", ReasonWithin: Duration(2 * time.Hour),
		RemindAfterWorkdays: 3, CloseAfterWorkdays: 2, ReopenWorkdays: 7,
		AppealDeciders: []string{"dispatcher"},
	}
}

// validateRating checks rating.*.
func (c *Config) validateRating() error {
	bad := func(key, why string) error { return fmt.Errorf("%s: %s", key, why) }
	r := c.Rating
	switch r.Unsatisfied {
	case "reopen", "dispatcher":
	default:
		return bad("rating.unsatisfied", fmt.Sprintf("%q: must be reopen or dispatcher", r.Unsatisfied))
	}
	if r.ReasonWithin.D() <= 0 {
		return bad("rating.reason_within", "must be a positive duration, e.g. 24h")
	}
	for key, v := range map[string]int{
		"rating.remind_after_workdays": r.RemindAfterWorkdays, "rating.close_after_workdays": r.CloseAfterWorkdays,
		"rating.reopen_workdays": r.ReopenWorkdays,
	} {
		if v < 1 || v > 60 {
			return bad(key, "must be 1 to 60 working days")
		}
	}
	if len(r.AppealDeciders) == 0 {
		return bad("rating.appeal_deciders", "must name at least one role: [dispatcher], [leader] or [dispatcher, leader]")
	}
	for i, role := range r.AppealDeciders {
		if role != "dispatcher" && role != "leader" {
			return bad(fmt.Sprintf("rating.appeal_deciders[%d]", i), fmt.Sprintf("%q: must be dispatcher or leader", role))
		}
		if slices.Index(r.AppealDeciders, role) != i {
			return bad(fmt.Sprintf("rating.appeal_deciders[%d]", i), fmt.Sprintf("%q is listed twice", role))
		}
	}
	return nil
}
