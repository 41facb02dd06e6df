package config

import (
	"fmt"
	"time"
)

// HotTopics is hot_topics.*: the similar cases the dispatcher's card lists
// and the watch for hot topics (舆情热点, job hot_topics).
type HotTopics struct {
	// SimilarWithin is how far back a new report is compared with earlier
	// cases for the dispatcher's card; open cases count whatever their age.
	SimilarWithin Duration `yaml:"similar_within"`
	// MinCitizens distinct citizens writing about one place and problem
	// within Window make a hot topic.
	MinCitizens int      `yaml:"min_citizens"`
	Window      Duration `yaml:"window"`
	// Rise, when above 0, also asks the reports of the window to be at
	// least Rise times the topic's usual number per window over the
	// Baseline before it; 0 leaves the count alone to decide.
	Rise     float64  `yaml:"rise"`
	Baseline Duration `yaml:"baseline"`
	// RespondWithin is the response clock of a hot topic ("网民发帖后一天内
	// 予以回应"): no case of it answered or given progress by then, and one
	// 督办 goes out.
	RespondWithin Duration `yaml:"respond_within"`
	// Quiet is how long after its newest case a topic still takes new
	// reports; a burst after that is a new topic and a new alert.
	Quiet Duration `yaml:"quiet"`
	// WeeklyTop is how many topics the weekly summary's 本周舆情 lists.
	WeeklyTop int `yaml:"weekly_top"`
}

func defaultHotTopics() HotTopics {
	return HotTopics{
		SimilarWithin: Duration(30 * 24 * time.Hour), MinCitizens: 5, Window: Duration(24 * time.Hour),
		Baseline: Duration(30 * 24 * time.Hour), RespondWithin: Duration(24 * time.Hour), Quiet: Duration(72 * time.Hour),
		WeeklyTop: 5,
	}
}

// validateHotTopics checks hot_topics.*.
func (c *Config) validateHotTopics() error {
	bad := func(key, why string) error { return fmt.Errorf("hot_topics.%s: %s", key, why) }
	h := c.HotTopics
	const day = 24 * time.Hour
	if h.MinCitizens < 2 || h.MinCitizens > 1000 {
		return bad("min_citizens", fmt.Sprintf("%d: must be 2 to 1000 distinct citizens (热点须有至少2位不同群众反映)", h.MinCitizens))
	}
	for key, d := range map[string]Duration{"similar_within": h.SimilarWithin, "window": h.Window, "respond_within": h.RespondWithin, "quiet": h.Quiet} {
		if d.D() <= 0 {
			return bad(key, "must be a positive duration such as 24h (须为正的时长，如 24h)")
		}
	}
	if h.Window.D() > 30*day {
		return bad("window", fmt.Sprintf("%s: at most 720h; a hot topic is a burst (热点指短时间内集中反映)", h.Window.D()))
	}
	if h.RespondWithin.D() > 7*day {
		return bad("respond_within", fmt.Sprintf("%s: at most 168h; the rules ask for a response within one day (网民发帖后一天内予以回应)", h.RespondWithin.D()))
	}
	if h.Rise < 0 || h.Rise > 100 {
		return bad("rise", fmt.Sprintf("%g: must be 0 (off) to 100 times the usual number (0 为不比较基线)", h.Rise))
	}
	if h.Rise > 0 && h.Baseline.D() <= h.Window.D() {
		return bad("baseline", fmt.Sprintf("%s: must be longer than hot_topics.window (%s) when hot_topics.rise is set (基线须长于统计窗口)", h.Baseline.D(), h.Window.D()))
	}
	if h.WeeklyTop < 1 || h.WeeklyTop > 20 {
		return bad("weekly_top", fmt.Sprintf("%d: must be 1 to 20 topics (周报列出的热点数)", h.WeeklyTop))
	}
	return nil
}
