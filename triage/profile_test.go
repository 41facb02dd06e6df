package triage

import (
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestProfileStored: a profile read back from its string compares with
// every other exactly as the profile read from the report does, on the
// real messages of hot-sample.csv; and its string is its string again.
func TestProfileStored(t *testing.T) {
	recs, err := csv.NewReader(sharedData(t, "hot-sample.csv")).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var fresh, stored []Profile
	for _, r := range recs[1:] {
		text := strings.Join(r, "。")
		p := NewProfile(text)
		enc := p.Encode()
		q, err := DecodeProfile(enc)
		if err != nil {
			t.Fatalf("DecodeProfile(Encode(%.60q)): %v", text, err)
		}
		if again := q.Encode(); again != enc {
			t.Errorf("Encode(DecodeProfile(s)) = %.200q; want s = %.200q", again, enc)
		}
		if !reflect.DeepEqual(q.Places, p.Places) || strings.Join(q.Problems, ",") != strings.Join(p.Problems, ",") {
			t.Errorf("stored profile of %.60q: places %v, problems %v; want %v, %v", text, q.Places, q.Problems, p.Places, p.Problems)
		}
		fresh, stored = append(fresh, p), append(stored, q)
	}
	for i := range fresh {
		for j := range fresh {
			if a, b := Compare(fresh[i], fresh[j]), Compare(stored[i], stored[j]); a != b {
				t.Fatalf("message %d vs %d: Compare = %+v read from the reports, %+v from the stored profiles", i, j, a, b)
			}
		}
	}
}

func TestDecodeProfileRefuses(t *testing.T) {
	tests := []struct{ name, s string }{
		{"empty", ""},
		{"too few parts", "1;2/潇楚南路/潇楚南路;路面破损"},
		{"bad kind", "1;9/潇楚南路/潇楚南路;;"},
		{"place without key", "1;2/潇楚南路;;"},
		{"one-rune bigram", "1;;;路"},
		{"count of one", "1;;;路面1"},
		{"punctuation bigram", "1;;;路。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeProfile(tt.s); err == nil {
				t.Errorf("DecodeProfile(%q) = nil error; want one", tt.s)
			}
		})
	}
	if _, err := DecodeProfile("0;;;"); !errors.Is(err, ErrProfileVersion) {
		t.Errorf("DecodeProfile of version 0 = %v; want ErrProfileVersion", err)
	}
	if p, err := DecodeProfile("1;;;"); err != nil || len(p.Places)+len(p.Problems)+len(p.grams) != 0 {
		t.Errorf("DecodeProfile of an empty profile = %+v, %v; want it empty", p, err)
	}
}
