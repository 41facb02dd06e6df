package bot

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"minsheng/models"
	"minsheng/triage"
)

// Similar cases at intake: a new report is compared with the open and
// recent cases that name one of its places (a road, a community, a site;
// triage.Profile.Keys, looked up through the case_places index), and the
// dispatcher's card lists up to similarShown of those about the same
// problem, each with a 重复 button that merges the new case into it.

// Bounds of the comparison at intake.
const (
	// similarShown is how many similar cases the card lists.
	similarShown = 3
	// similarRead bounds the cases read and compared for one report: the
	// newest that name one of its places.
	similarRead = 60
	// defaultSimilarWithin is how far back a report is compared when
	// hot_topics.similar_within is not set (open cases whatever their age).
	defaultSimilarWithin = 30 * 24 * time.Hour
)

// similarCase is an earlier case a new report is like.
type similarCase struct {
	no    string
	match triage.Match
}

// label is the case on the card: 20261123001（潇楚南路·路面破损）.
func (s similarCase) label() string {
	var why []string
	for _, w := range []string{s.match.Place, s.match.Problem} {
		if w != "" {
			why = append(why, w)
		}
	}
	if len(why) == 0 {
		return s.no
	}
	return s.no + "（" + strings.Join(why, "·") + "）"
}

func (b *Bot) similarWithin() time.Duration {
	if w := b.Settings.Hot.SimilarWithin; w > 0 {
		return w
	}
	return defaultSimilarWithin
}

// similarCases returns up to n cases like report p: open, or received
// since the comparison window began; merged cases (重复) stand for their
// original and are left out. Best first, then newest.
func similarCases(tx *models.Tx, p triage.Profile, since time.Time, n int) ([]similarCase, error) {
	cands, err := tx.SimilarCandidates(p.Keys(), since, similarRead)
	if err != nil {
		return nil, err
	}
	var out []similarCase
	for _, c := range cands {
		if c.Status == models.StatusDuplicate {
			continue
		}
		if m := triage.Compare(p, triage.NewProfile(c.Content)); m.Similar() {
			out = append(out, similarCase{no: c.No, match: m})
		}
	}
	slices.SortStableFunc(out, func(a, b similarCase) int { return cmp.Compare(b.match.Score, a.match.Score) })
	return out[:min(n, len(out))], nil
}

// similarField is the card's line of similar cases.
func similarField(sims []similarCase) Field {
	var parts []string
	for _, s := range sims {
		parts = append(parts, s.label())
	}
	return Field{"相似件", strings.Join(parts, "；")}
}

// newCaseButtons are the new-case card's buttons: 交办 to each suggested
// unit, 无效, and 重复 into each similar case (or the plain 重复, which asks
// for the number, when there is none). At most cardButtons: with similar
// cases the later 交办 buttons give way, down to one (the card's line of
// suggested units still names them all).
func newCaseButtons(assign []Button, no string, sims []similarCase) []Button {
	if len(sims) == 0 {
		return append(append(assign, verbButton(VerbInvalid, no)), verbButton(VerbDuplicate, no))
	}
	var dup []Button
	for _, s := range sims {
		dup = append(dup, origButton(VerbDuplicate, no, s.no))
	}
	keep := max(min(len(assign), cardButtons-1-len(dup)), min(len(assign), 1))
	out := append(append(assign[:keep:keep], verbButton(VerbInvalid, no)), dup...)
	return out[:min(len(out), cardButtons)]
}

// cardButtons is the most buttons a card carries: DingTalk's limit, under
// WeCom's six.
const cardButtons = 5

// similarHint is the card's line of how to merge by typing.
func similarHint(no string, sims []similarCase) string {
	if len(sims) == 0 {
		return ""
	}
	return fmt.Sprintf("\n相似件并件：重复 %s %s", no, sims[0].no)
}
