package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRatingDefaultsAndBadValues(t *testing.T) {
	c, err := Parse([]byte("rating: {unsatisfied: dispatcher}"))
	if err != nil {
		t.Fatal(err)
	}
	want := Rating{Unsatisfied: "dispatcher", ReasonWithin: Duration(2 * time.Hour), RemindAfterWorkdays: 3, CloseAfterWorkdays: 2,
		ReopenWorkdays: 7, AppealDeciders: []string{"dispatcher"}}
	if !reflect.DeepEqual(c.Rating, want) {
		t.Errorf("rating = %+v; want %+v", c.Rating, want)
	}
	tests := []struct{ yaml, key string }{
		{"rating: {unsatisfied: ignore}", "rating.unsatisfied"},
		{"rating: {reason_within: 0s}", "rating.reason_within"},
		{"rating: {remind_after_workdays: 0}", "rating.remind_after_workdays"},
		{"rating: {close_after_workdays: 99}", "rating.close_after_workdays"},
		{"rating: {reopen_workdays: -1}", "rating.reopen_workdays"},
		{"rating: {appeal_deciders: []}", "rating.appeal_deciders"},
		{"rating: {appeal_deciders: [mayor]}", "rating.appeal_deciders[0]"},
		{"rating: {appeal_deciders: [leader, leader]}", "rating.appeal_deciders[1]"},
		{"jobs: {rating: {schedule: 'daily'}}", "jobs.rating.schedule"},
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
