package triage

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A Profile is kept as a string so that a report is read once (NewProfile
// scans it for every place word and problem word) and compared later from
// what was stored: the dispatcher's card compares a new report with dozens
// of earlier ones, the hot-topic watch with hundreds.
//
//	1;<places>;<problems>;<grams>
//
// places are kind/name/key, problems the class labels, grams a bigram each
// with its count after it when above one; the items of each part are
// comma-separated. None of the separators can be part of a place, a class
// or a bigram (those are letters, digits and Han characters only).

// profileVersion starts every encoded profile; a profile of another
// version is read again from its report.
const profileVersion = "1"

// Encode is p as a string for DecodeProfile.
func (p Profile) Encode() string {
	var b strings.Builder
	b.WriteString(profileVersion + ";")
	for i, pl := range p.Places {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(pl.Kind)) + "/" + pl.Name + "/" + pl.Key)
	}
	b.WriteString(";" + strings.Join(p.Problems, ",") + ";")
	for i, g := range p.grams {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(g.text)
		if g.count > 1 {
			b.WriteString(strconv.Itoa(g.count))
		}
	}
	return b.String()
}

// ErrProfileVersion says an encoded profile is of another version.
var ErrProfileVersion = errors.New("profile of another version")

// DecodeProfile reads a profile written by Encode.
func DecodeProfile(s string) (Profile, error) {
	var p Profile
	parts := strings.Split(s, ";")
	if len(parts) != 4 {
		return p, fmt.Errorf("decode profile: %d parts; want 4", len(parts))
	}
	if parts[0] != profileVersion {
		return p, fmt.Errorf("decode profile version %q: %w", parts[0], ErrProfileVersion)
	}
	for item := range splitItems(parts[1]) {
		f := strings.Split(item, "/")
		if len(f) != 3 || f[1] == "" || f[2] == "" {
			return p, fmt.Errorf("decode profile: place %q", item)
		}
		kind, err := strconv.Atoi(f[0])
		if err != nil || kind < int(Area) || kind > int(Site) {
			return p, fmt.Errorf("decode profile: place kind %q", f[0])
		}
		p.Places = append(p.Places, Place{Name: f[1], Key: f[2], Kind: PlaceKind(kind)})
	}
	for item := range splitItems(parts[2]) {
		p.Problems = append(p.Problems, item)
	}
	for item := range splitItems(parts[3]) {
		r1, n1 := utf8.DecodeRuneInString(item)
		r2, n2 := utf8.DecodeRuneInString(item[n1:])
		if !gramRune(r1) || !gramRune(r2) {
			return p, fmt.Errorf("decode profile: bigram %q", item)
		}
		g := gram{text: item[:n1+n2], count: 1}
		if rest := item[n1+n2:]; rest != "" {
			c, err := strconv.Atoi(rest)
			if err != nil || c < 2 {
				return p, fmt.Errorf("decode profile: count of bigram %q", item)
			}
			g.count = c
		}
		p.grams = append(p.grams, g)
	}
	if !slices.IsSortedFunc(p.grams, func(a, b gram) int { return strings.Compare(a.text, b.text) }) {
		slices.SortFunc(p.grams, func(a, b gram) int { return strings.Compare(a.text, b.text) })
	}
	p.weigh()
	return p, nil
}

// splitItems yields the comma-separated items of s; none when s is empty.
func splitItems(s string) func(func(string) bool) {
	return func(yield func(string) bool) {
		if s == "" {
			return
		}
		for item := range strings.SplitSeq(s, ",") {
			if !yield(item) {
				return
			}
		}
	}
}
