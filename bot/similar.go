package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"minsheng/models"
	"minsheng/redact"
	"minsheng/triage"
)

// Similar cases on the dispatcher's card: a new report is compared with
// the open and recent cases that name one of its places (a road, a
// community, a site; triage.Profile.Keys, looked up through the
// case_places index), and the card lists up to similarShown of those about
// the same problem, each with a 重复 button that merges the new case into
// it.
//
// None of this happens on the citizen's callback: the intake queues the
// card as it always did, and the similar cases are looked up and added
// when the card is sent (AtSend, called by the delivery job). That is also
// when the case is indexed (read once into a stored profile and its
// places), unless the hot_topics job indexed it first; the comparison
// reads the earlier cases' stored profiles, never their texts. Done in
// the intake transaction, the look-up cut the intake from ~290 to ~60
// cases/s (minsheng bench; docs/hottopics.md).

// Bounds of the comparison.
const (
	// similarShown is how many similar cases the card lists.
	similarShown = 3
	// similarRead bounds the cases read and compared for one report: the
	// newest that name one of its places.
	similarRead = 60
	// defaultSimilarWithin is how far back a report is compared when
	// hot_topics.similar_within is not set (open cases whatever their age).
	defaultSimilarWithin = 30 * 24 * time.Hour
	// similarCatchUp and similarCatchUpMax: the cases received shortly
	// before a new one and not indexed yet (their cards still on their
	// way, on another instance, say) are indexed with it, at most so many,
	// so that it is compared with them.
	similarCatchUp    = 10 * time.Minute
	similarCatchUpMax = 20
	// similarMemoFor is how long the similar cases of a case are kept for
	// the cards of its other dispatchers.
	similarMemoFor = 2 * time.Minute
)

// purposeNewCase is the outbox kind of the dispatchers' new-case cards.
const purposeNewCase = "new_case"

// similarCase is an earlier case a new report is like.
type similarCase struct {
	no    string
	match triage.Match
}

// label is the case on the card: 20261123001（潇楚南路·路面破损）. The
// place is read from a citizen's text, so it is masked as the hot topics'
// places are (topicPlaces).
func (s similarCase) label() string {
	var why []string
	for _, w := range []string{redact.Identity(s.match.Place), s.match.Problem} {
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

// AtSend completes outbox message o as it is sent; out is its payload. A
// dispatcher's new-case card gets the case's similar cases: the 相似件
// line, how to merge by typing, and a 重复 button into each. When they
// cannot be looked up the card goes without them, and the failure is
// logged: the card matters more.
func (b *Bot) AtSend(ctx context.Context, o models.Outbox, out Outgoing) Outgoing {
	if o.Kind != purposeNewCase || out.Kind != KindCard || o.CaseID == 0 || out.CaseNo == "" {
		return out
	}
	sims, err := b.similarOf(ctx, o.CaseID)
	if err != nil {
		b.log().WarnContext(ctx, "similar cases not looked up; the card goes without them",
			"outbox_id", o.ID, "case_id", o.CaseID, "err", err)
		return out
	}
	return withSimilar(out, sims)
}

// withSimilar is new-case card out with the similar cases sims.
func withSimilar(out Outgoing, sims []similarCase) Outgoing {
	if len(sims) == 0 {
		return out
	}
	var assign []Button
	for _, btn := range out.Buttons {
		if ParseButton(btn.Key).Verb == VerbAssign {
			assign = append(assign, btn)
		}
	}
	out.Fields = append(slices.Clip(out.Fields), similarField(sims))
	out.Text += similarHint(out.CaseNo, sims)
	out.Buttons = newCaseButtons(assign, out.CaseNo, sims)
	return out
}

// similarMemo keeps the similar cases of the cases whose cards are being
// sent, so that the cards of one case to several dispatchers look them up
// once (per instance); the look-ups of different cases run side by side.
type similarMemo struct {
	mu    sync.Mutex
	calls map[uint64]*similarCall
}

type similarCall struct {
	done chan struct{}
	at   time.Time
	sims []similarCase
	err  error
}

// similarOf returns the similar cases of case id, looked up once for all
// its cards within similarMemoFor.
func (b *Bot) similarOf(ctx context.Context, id uint64) ([]similarCase, error) {
	m := &b.similar
	now := time.Now()
	m.mu.Lock()
	if m.calls == nil {
		m.calls = map[uint64]*similarCall{}
	}
	for k, c := range m.calls {
		if now.Sub(c.at) > similarMemoFor {
			select {
			case <-c.done:
				delete(m.calls, k)
			default:
			}
		}
	}
	c, ok := m.calls[id]
	if !ok {
		c = &similarCall{done: make(chan struct{}), at: now}
		m.calls[id] = c
	}
	m.mu.Unlock()
	if ok {
		select {
		case <-c.done:
			return c.sims, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c.sims, c.err = b.lookUpSimilar(ctx, id)
	if c.err != nil {
		m.mu.Lock()
		delete(m.calls, id) // the next card tries again
		m.mu.Unlock()
	}
	close(c.done)
	return c.sims, c.err
}

// lookUpSimilar indexes case id (unless it is indexed), and the cases
// received shortly before it that are not, and returns up to similarShown
// earlier cases like it: open, or received within similarWithin; merged
// cases (重复) stand for their original and are left out. Best first, then
// newest. The case's report is read once, the others' stored profiles are
// compared. Two transactions: the comparison reads what the indexing, or a
// delivery indexing the same cases at the same time, committed (a
// snapshot taken before that one committed would miss its rows).
func (b *Bot) lookUpSimilar(ctx context.Context, id uint64) ([]similarCase, error) {
	var (
		k *models.Case
		p triage.Profile
	)
	err := b.Store.Act(ctx, func(tx *models.Tx) error {
		var err error
		if k, err = tx.CaseByID(id); err != nil {
			return err
		}
		if p, err = b.indexed(tx, k); err != nil {
			return err
		}
		_, err = b.indexBetween(tx, k.ReceivedAt.Add(-similarCatchUp), k.ReceivedAt, similarCatchUpMax)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("index case %d: %w", id, err)
	}
	keys := p.Keys()
	if len(keys) == 0 {
		return nil, nil
	}
	var out []similarCase
	err = b.Store.Act(ctx, func(tx *models.Tx) error {
		out = nil
		cands, err := tx.SimilarCandidates(models.SimilarQuery{
			Places: keys, Since: k.ReceivedAt.Add(-b.similarWithin()), Before: k.ID, Limit: similarRead,
		})
		if err != nil {
			return err
		}
		for _, c := range cands {
			if c.Status == models.StatusDuplicate {
				continue
			}
			cp, err := triage.DecodeProfile(c.Profile)
			if err != nil {
				b.log().Warn("stored profile unreadable; case not compared", "case_id", c.ID, "err", err)
				continue
			}
			if m := triage.Compare(p, cp); m.Similar() {
				out = append(out, similarCase{no: c.No, match: m})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("similar cases of %s: %w", k.No, err)
	}
	slices.SortStableFunc(out, func(a, b similarCase) int { return cmp.Compare(b.match.Score, a.match.Score) })
	return out[:min(similarShown, len(out))], nil
}

// indexed returns the profile of case k's report: the stored one, or,
// when k is not indexed yet, read from the report and stored with its
// places.
func (b *Bot) indexed(tx *models.Tx, k *models.Case) (triage.Profile, error) {
	stored, ok, err := tx.CaseProfileOf(k.ID)
	if err != nil {
		return triage.Profile{}, err
	}
	if ok {
		if stored == "" {
			return triage.Profile{}, nil // it names no place
		}
		if p, err := triage.DecodeProfile(stored); err == nil {
			return p, nil
		}
		return profileOf(k.Content), nil
	}
	p := profileOf(k.Content)
	if _, err := tx.IndexCase(k, p.Encode(), p.Keys()); err != nil {
		return triage.Profile{}, err
	}
	return p, nil
}

// profileOf is the profile of a report. A place read from it that holds a
// name the report shows to be a person's (本人李娜，李娜小区门口) is masked
// in the profile, which cards, alerts and topics show places from: masked
// on its own, with nothing around it, the name would not be found.
func profileOf(text string) triage.Profile {
	p := triage.NewProfile(text)
	if names := redact.Names(text); len(names) > 0 {
		for i := range p.Places {
			p.Places[i].Name = redact.Identity(p.Places[i].Name, names...)
		}
	}
	return p
}

// indexBetween indexes up to limit of the cases received from from to to
// that are not indexed, oldest first, and says how many it read.
func (b *Bot) indexBetween(tx *models.Tx, from, to time.Time, limit int) (int, error) {
	ks, err := tx.Unindexed(from, to, limit)
	if err != nil {
		return 0, err
	}
	for i := range ks {
		p := profileOf(ks[i].Content)
		if _, err := tx.IndexCase(&ks[i], p.Encode(), p.Keys()); err != nil {
			return 0, err
		}
	}
	return len(ks), nil
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
