package config

import (
	"strings"
	"testing"
	"time"
)

func TestHotTopicsDefaultsAndBadValues(t *testing.T) {
	c, err := Parse([]byte("hot_topics: {min_citizens: 3, rise: 2}"))
	if err != nil {
		t.Fatal(err)
	}
	h := c.HotTopics
	if h.MinCitizens != 3 || h.Rise != 2 || h.Window.D() != 24*time.Hour || h.RespondWithin.D() != 24*time.Hour || h.Baseline.D() != 720*time.Hour || h.WeeklyTop != 5 {
		t.Errorf("hot_topics = %+v; want min_citizens 3, rise 2 and the defaults", h)
	}
	tests := []struct{ yaml, key, zh string }{
		{"hot_topics: {min_citizens: 1}", "hot_topics.min_citizens", "不同群众"},
		{"hot_topics: {window: 0s}", "hot_topics.window", "须为正的时长"},
		{"hot_topics: {window: 1000h}", "hot_topics.window", "集中反映"},
		{"hot_topics: {respond_within: -1h}", "hot_topics.respond_within", "须为正的时长"},
		{"hot_topics: {respond_within: 200h}", "hot_topics.respond_within", "一天内"},
		{"hot_topics: {rise: -1}", "hot_topics.rise", "基线"},
		{"hot_topics: {rise: 2, baseline: 12h}", "hot_topics.baseline", "基线须长于"},
		{"hot_topics: {weekly_top: 0}", "hot_topics.weekly_top", "周报"},
		{"hot_topics: {quiet: 0s}", "hot_topics.quiet", "须为正的时长"},
		{"hot_topics: {window: soon}", "line 1", "not a duration"},
		{"hot_topics: {min_citizen: 5}", "min_citizen", ""},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), tt.zh) {
				t.Errorf("Parse(%q) = %v; want an error naming %s (and saying %q)", tt.yaml, err, tt.key, tt.zh)
			}
		})
	}
}
