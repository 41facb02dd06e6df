package models

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// The index of similar reports: a case's report is read once (its profile,
// triage.Profile.Encode, in CaseProfile) and looked up by the places it
// names (CasePlace). It is written off the citizen's callback, when the
// dispatchers' card of the case is sent (bot.Bot.AtSend) or by the
// hot_topics job, whichever comes first, and once (IndexCase).

// CaseProfile is what comparing a case's report with others needs, stored
// once per case; its row also says the case is indexed. A case whose
// report names no place has a row with no places and an empty profile: it
// is like no other and is not read again.
type CaseProfile struct {
	CaseID     uint64    `gorm:"primaryKey;autoIncrement:false"`
	ReceivedAt time.Time `gorm:"not null;index:idx_case_profile_received"`
	// Places counts its CasePlace rows.
	Places  int    `gorm:"not null;default:0"`
	Profile string `gorm:"type:text;not null"`
}

// CasePlace is a place a case's report names (a road, a community, a
// site; triage.Profile.Keys): similar reports are looked up by it
// (SimilarCandidates). A case names a place once.
type CasePlace struct {
	ID         uint64    `gorm:"primaryKey"`
	CaseID     uint64    `gorm:"not null;uniqueIndex:idx_case_place_case,priority:1"`
	Place      string    `gorm:"size:32;not null;uniqueIndex:idx_case_place_case,priority:2;index:idx_case_place,priority:1"`
	ReceivedAt time.Time `gorm:"not null;index:idx_case_place,priority:2"`
}

// Topic is a hot topic (舆情热点): reports about one place and one problem
// from several citizens within a short time, raised once to the leaders
// and the joint-meeting group. Its cases are its TopicCase rows. The
// 24-hour response rule runs on it: RespondBy, then RespondedAt when a case
// of the topic was answered or given progress in time, or EscalatedAt when
// the 督办 went out instead.
type Topic struct {
	ID uint64 `gorm:"primaryKey"`
	// Title is the topic in a few words: 潇楚南路 路面破损.
	Title   string `gorm:"size:96;not null;index:idx_topic_title"`
	Place   string `gorm:"size:64;not null"`
	Problem string `gorm:"size:32;not null"`
	// Places are the places its reports name, 、-joined.
	Places string `gorm:"size:255;not null"`
	// Citizens and Cases count the distinct reporters and the cases when
	// it was raised, and as cases join it.
	Citizens int `gorm:"not null;default:0"`
	Cases    int `gorm:"not null;default:0"`
	// FirstAt and LastAt are when its first and newest case came in.
	FirstAt time.Time `gorm:"not null"`
	LastAt  time.Time `gorm:"not null;index:idx_topic_last"`
	// RaisedAt is when the alert went out; RespondBy the end of the
	// response clock.
	RaisedAt    time.Time `gorm:"not null;index:idx_topic_raised"`
	RespondBy   time.Time `gorm:"not null;index:idx_topic_respond"`
	RespondedAt *time.Time
	EscalatedAt *time.Time
	CreatedAt   time.Time
}

// TopicCase links a case to its topic; a case is in one topic at most
// (the unique case_id), which also makes raising a topic happen once: a
// second raise of the same reports fails on its first case.
type TopicCase struct {
	ID         uint64    `gorm:"primaryKey"`
	TopicID    uint64    `gorm:"not null;index"`
	CaseID     uint64    `gorm:"not null;uniqueIndex:idx_topic_case"`
	CitizenID  uint64    `gorm:"not null"`
	ReceivedAt time.Time `gorm:"not null;index:idx_topic_case_received"`
	CreatedAt  time.Time
}

// EventHotTopic is the entry a case gets when it joins a hot topic, and
// when the topic's 督办 goes out.
const EventHotTopic EventKind = "hot_topic"

func init() {
	register(&gormigrate.Migration{
		ID: "202612170001_topics",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&CaseProfile{}, &CasePlace{}, &Topic{}, &TopicCase{}); err != nil {
				return fmt.Errorf("create case_profiles, case_places and topics: %w", err)
			}
			return nil
		},
	})
}

// IndexCase stores profile, the encoded profile of case k's report, and
// the places it is looked up by, unless the case is indexed already (by
// another delivery of its cards, another instance or the hot_topics job):
// then it writes nothing and returns false. places may be empty: the case
// is then indexed as like no other.
func (tx *Tx) IndexCase(k *Case, profile string, places []string) (bool, error) {
	var keys []string
	for _, p := range places {
		if p = truncRunes(p, 32); p != "" && !slices.Contains(keys, p) {
			keys = append(keys, p)
		}
	}
	if len(keys) == 0 {
		profile = ""
	}
	row := CaseProfile{CaseID: k.ID, ReceivedAt: k.ReceivedAt, Places: len(keys), Profile: profile}
	fresh, err := tx.createOnce(&row)
	if err != nil {
		return false, fmt.Errorf("index case %d: %w", k.ID, err)
	}
	if !fresh || len(keys) == 0 {
		return fresh, nil
	}
	if err := tx.addPlaces(k, keys); err != nil {
		return false, err
	}
	return true, nil
}

// addPlaces writes the places of case k, in one INSERT.
func (tx *Tx) addPlaces(k *Case, places []string) error {
	args := make([]any, 0, 3*len(places))
	for _, p := range places {
		args = append(args, k.ID, p, k.ReceivedAt)
	}
	if _, err := tx.exec(multiRowInsert("INSERT INTO case_places (case_id, place, received_at)", "(?, ?, ?)", len(places)), args...); err != nil {
		return fmt.Errorf("record the places of case %d: %w", k.ID, translate(err))
	}
	return nil
}

func truncRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// CaseProfileOf returns the stored profile of case id and whether the case
// is indexed.
func (tx *Tx) CaseProfileOf(id uint64) (string, bool, error) {
	var rows []CaseProfile
	if err := tx.db.Where("case_id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return "", false, fmt.Errorf("profile of case %d: %w", id, err)
	}
	if len(rows) == 0 {
		return "", false, nil
	}
	return rows[0].Profile, true, nil
}

// Unindexed returns up to limit numbered cases received from from to to
// (both included) that are not indexed, oldest first: one read by the
// index over received_at. It returns no sentinel error.
func (tx *Tx) Unindexed(from, to time.Time, limit int) ([]Case, error) {
	var out []Case
	err := tx.db.Table("cases AS c").Select("c.*").
		Joins("LEFT JOIN case_profiles AS pr ON pr.case_id = c.id").
		Where("c.received_at >= ? AND c.received_at <= ? AND pr.case_id IS NULL AND c.no IS NOT NULL", from.UTC(), to.UTC()).
		Order("c.received_at, c.id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("cases not indexed since %s: %w", from.Format(time.RFC3339), err)
	}
	return out, nil
}

// Candidate is an indexed case a report may be similar to, with its
// stored profile.
type Candidate struct {
	ID         uint64
	No         string
	CitizenID  uint64
	Status     Status
	ReceivedAt time.Time
	LeadDeptID *uint64
	AnsweredAt *time.Time
	Profile    string
}

// SimilarQuery says which indexed cases SimilarCandidates returns: those
// that name one of Places and were received at or after Since, or are
// still open; not Except, and when Before is set only cases whose id is
// below it (received before that case).
type SimilarQuery struct {
	Places []string
	Since  time.Time
	Except uint64
	Before uint64
	Limit  int
}

// SimilarCandidates returns the indexed cases of q with their profiles,
// newest first (the recent ones, then the older open ones), at most
// q.Limit, none twice; invalid cases and cases without a number are left
// out. One statement: the recent ones by the index over (place,
// received_at), and the older open ones by the same index and the cases'
// status. It returns no sentinel error.
func (tx *Tx) SimilarCandidates(q SimilarQuery) ([]Candidate, error) {
	if len(q.Places) == 0 || q.Limit <= 0 {
		return nil, nil
	}
	const sel = "SELECT c.id, c.no, c.citizen_id, c.status, c.received_at, c.lead_dept_id, c.answered_at, pr.profile " +
		"FROM case_places p JOIN cases c ON c.id = p.case_id JOIN case_profiles pr ON pr.case_id = p.case_id " +
		"WHERE p.place IN ? AND c.no IS NOT NULL AND c.id <> ? AND c.id < ? AND "
	before := q.Before
	if before == 0 {
		before = math.MaxInt64
	}
	since := q.Since.UTC()
	// A case naming two of the places comes twice: twice the rows.
	n := 2 * q.Limit
	query := "SELECT * FROM (" + sel + "p.received_at >= ? AND c.status <> ? ORDER BY p.received_at DESC, p.case_id DESC LIMIT ?) r " +
		"UNION ALL SELECT * FROM (" + sel + "p.received_at < ? AND c.status IN ? ORDER BY p.received_at DESC, p.case_id DESC LIMIT ?) o"
	var rows []Candidate
	err := tx.db.Raw(query, q.Places, q.Except, before, since, StatusInvalid, n,
		q.Places, q.Except, before, since, openStatuses, n).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("cases similar by place: %w", err)
	}
	var out []Candidate
	seen := map[uint64]bool{}
	for _, r := range rows {
		if !seen[r.ID] && len(out) < q.Limit {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// PlacedCases returns the indexed cases that name a place received after
// position after and not after until, with their profiles, ordered by
// (received_at, id), at most limit: the scan of the hot-topic job. It
// returns no sentinel error.
func (tx *Tx) PlacedCases(after Cursor, until time.Time, limit int) ([]Candidate, error) {
	lo := after.at()
	var out []Candidate
	err := tx.db.Table("case_profiles AS pr").
		Select("c.id, c.no, c.citizen_id, c.status, c.received_at, c.lead_dept_id, c.answered_at, pr.profile").
		Joins("JOIN cases AS c ON c.id = pr.case_id").
		Where("pr.received_at >= ? AND pr.received_at <= ? AND (pr.received_at > ? OR pr.case_id > ?) AND pr.places > 0 AND c.no IS NOT NULL",
			lo, until.UTC(), lo, after.ID).
		Order("pr.received_at, pr.case_id").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("cases with places since %s: %w", lo.Format(time.RFC3339), err)
	}
	return out, nil
}

// TopicsOf maps those of caseIDs that are in a topic to their topic's id.
// It returns no sentinel error.
func (tx *Tx) TopicsOf(caseIDs []uint64) (map[uint64]uint64, error) {
	out := map[uint64]uint64{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	var rows []TopicCase
	if err := tx.db.Where("case_id IN ?", caseIDs).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("topics of %d cases: %w", len(caseIDs), err)
	}
	for _, r := range rows {
		out[r.CaseID] = r.TopicID
	}
	return out, nil
}

// Topic returns the topic with id; ErrNotFound if there is none.
func (tx *Tx) Topic(id uint64) (*Topic, error) {
	var t Topic
	if err := tx.db.First(&t, id).Error; err != nil {
		return nil, fmt.Errorf("topic %d: %w", id, translate(err))
	}
	return &t, nil
}

// RaiseTopic stores topic t with its cases. It returns ErrConflict, and the
// caller must roll back, when one of the cases is already in a topic: the
// topic was raised before, by this instance or another.
func (tx *Tx) RaiseTopic(t *Topic, cases []TopicCase) error {
	if len(cases) == 0 {
		return errors.New("raise topic: no cases")
	}
	now := tx.Now()
	t.ID, t.CreatedAt = 0, now
	if err := tx.db.Create(t).Error; err != nil {
		return fmt.Errorf("raise topic %s: %w", t.Title, translate(err))
	}
	for i := range cases {
		cases[i].ID, cases[i].TopicID, cases[i].CreatedAt = 0, t.ID, now
		fresh, err := tx.createOnce(&cases[i])
		if err != nil {
			return fmt.Errorf("raise topic %s: link case %d: %w", t.Title, cases[i].CaseID, err)
		}
		if !fresh {
			return fmt.Errorf("raise topic %s: case %d is in a topic already: %w", t.Title, cases[i].CaseID, ErrConflict)
		}
	}
	return nil
}

// JoinTopic links case c to topic t and counts it; false when the case is
// in a topic already.
func (tx *Tx) JoinTopic(t *Topic, c TopicCase) (bool, error) {
	c.ID, c.TopicID, c.CreatedAt = 0, t.ID, tx.Now()
	fresh, err := tx.createOnce(&c)
	if err != nil || !fresh {
		if err != nil {
			err = fmt.Errorf("join case %d to topic %d: %w", c.CaseID, t.ID, err)
		}
		return false, err
	}
	var citizens int64
	if err := tx.db.Model(&TopicCase{}).Where("topic_id = ?", t.ID).Distinct("citizen_id").Count(&citizens).Error; err != nil {
		return false, fmt.Errorf("join case %d to topic %d: %w", c.CaseID, t.ID, err)
	}
	last := t.LastAt
	if c.ReceivedAt.After(last) {
		last = c.ReceivedAt
	}
	err = tx.db.Model(&Topic{}).Where("id = ?", t.ID).
		Updates(map[string]any{"cases": gorm.Expr("cases + 1"), "citizens": citizens, "last_at": last.UTC()}).Error
	if err != nil {
		return false, fmt.Errorf("join case %d to topic %d: %w", c.CaseID, t.ID, err)
	}
	t.Cases++
	t.Citizens, t.LastAt = int(citizens), last
	return true, nil
}

// TopicCaseRow is a case of a topic as its messages and reports show it.
type TopicCaseRow struct {
	TopicID    uint64
	CaseID     uint64
	No         string
	CitizenID  uint64
	Status     Status
	ReceivedAt time.Time
	LeadDeptID *uint64
	LeadDept   string
	AnsweredAt *time.Time
}

// TopicCases returns the cases of the topics with ids, by topic and
// reception. It returns no sentinel error.
func (tx *Tx) TopicCases(ids ...uint64) ([]TopicCaseRow, error) {
	return topicCases(tx.db, ids)
}

func topicCases(db *gorm.DB, ids []uint64) ([]TopicCaseRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []TopicCaseRow
	err := db.Table("topic_cases AS tc").
		Select("tc.topic_id, tc.case_id, c.no, tc.citizen_id, c.status, c.received_at, c.lead_dept_id, d.name AS lead_dept, c.answered_at").
		Joins("JOIN cases AS c ON c.id = tc.case_id").
		Joins("LEFT JOIN departments AS d ON d.id = c.lead_dept_id").
		Where("tc.topic_id IN ?", ids).Order("tc.topic_id, c.received_at, c.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("cases of %d topics: %w", len(ids), err)
	}
	return out, nil
}

// TopicsDue returns up to limit topics whose response clock ended at or
// before now with neither a response nor a 督办 on record, oldest first.
// It returns no sentinel error.
func (tx *Tx) TopicsDue(now time.Time, limit int) ([]Topic, error) {
	var out []Topic
	err := tx.db.Where("respond_by <= ? AND responded_at IS NULL AND escalated_at IS NULL", now.UTC()).
		Order("respond_by, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("topics due: %w", err)
	}
	return out, nil
}

// FirstResponse is when a case of topic t was first answered, or given
// progress by its lead unit (an event of kind EventProgress whose body
// starts with leadPrefix); nil if neither happened yet.
func (tx *Tx) FirstResponse(t *Topic, leadPrefix string) (*time.Time, error) {
	var first []time.Time
	var answered []time.Time
	err := tx.db.Table("topic_cases AS tc").Joins("JOIN cases AS c ON c.id = tc.case_id").
		Where("tc.topic_id = ? AND c.answered_at IS NOT NULL", t.ID).Order("c.answered_at").Limit(1).
		Pluck("c.answered_at", &answered).Error
	if err != nil {
		return nil, fmt.Errorf("first answer of topic %d: %w", t.ID, err)
	}
	first = append(first, answered...)
	var progress []time.Time
	err = tx.db.Table("topic_cases AS tc").Joins("JOIN case_events AS e ON e.case_id = tc.case_id").
		Where("tc.topic_id = ? AND e.kind = ? AND e.body LIKE ?", t.ID, EventProgress, leadPrefix+"%").
		Order("e.created_at").Limit(1).Pluck("e.created_at", &progress).Error
	if err != nil {
		return nil, fmt.Errorf("first progress of topic %d: %w", t.ID, err)
	}
	first = append(first, progress...)
	var out *time.Time
	for i := range first {
		if out == nil || first[i].Before(*out) {
			out = &first[i]
		}
	}
	return out, nil
}

// MarkTopicResponded records that topic t was responded to at at; ErrConflict
// when it already has a response or a 督办 on record.
func (tx *Tx) MarkTopicResponded(t *Topic, at time.Time) error {
	return tx.markTopic(t, "responded_at", at, &t.RespondedAt)
}

// MarkTopicEscalated records the 督办 of topic t at at; ErrConflict when it
// already has a response or a 督办 on record (another instance went first).
func (tx *Tx) MarkTopicEscalated(t *Topic, at time.Time) error {
	return tx.markTopic(t, "escalated_at", at, &t.EscalatedAt)
}

func (tx *Tx) markTopic(t *Topic, col string, at time.Time, field **time.Time) error {
	at = at.UTC().Truncate(time.Second)
	res := tx.db.Model(&Topic{}).Where("id = ? AND responded_at IS NULL AND escalated_at IS NULL", t.ID).Update(col, at)
	if res.Error != nil {
		return fmt.Errorf("topic %d %s: %w", t.ID, col, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("topic %d %s: %w", t.ID, col, ErrConflict)
	}
	*field = &at
	return nil
}

// TopicActivity returns the topics that got cases received in p, each with
// those cases, topics by the time they were raised. It returns no sentinel
// error.
func (s *Store) TopicActivity(ctx context.Context, p Period) ([]Topic, map[uint64][]TopicCaseRow, error) {
	db := s.db.WithContext(ctx)
	var ids []uint64
	err := db.Model(&TopicCase{}).Distinct("topic_id").
		Where("received_at >= ? AND received_at < ?", p.From.UTC(), p.To.UTC()).Pluck("topic_id", &ids).Error
	if err != nil {
		return nil, nil, fmt.Errorf("topics of %s: %w", p.From.Format("2006-01-02"), err)
	}
	if len(ids) == 0 {
		return nil, map[uint64][]TopicCaseRow{}, nil
	}
	var topics []Topic
	if err := db.Where("id IN ?", ids).Order("raised_at, id").Find(&topics).Error; err != nil {
		return nil, nil, fmt.Errorf("topics of %s: %w", p.From.Format("2006-01-02"), err)
	}
	rows, err := topicCases(db, ids)
	if err != nil {
		return nil, nil, err
	}
	cases := map[uint64][]TopicCaseRow{}
	for _, r := range rows {
		if !r.ReceivedAt.Before(p.From) && r.ReceivedAt.Before(p.To) {
			cases[r.TopicID] = append(cases[r.TopicID], r)
		}
	}
	return topics, cases, nil
}

// RepeatReporter is a citizen who reported more than once in a period, by
// alias only.
type RepeatReporter struct {
	Alias string
	// Reports counts the cases opened and the repeats linked (重复反映).
	Reports int
}

// RepeatReporters returns the citizens with at least two reports (cases
// opened, repeats linked) in p, most first, at most limit, by alias; an
// information officer's 舆情 are not counted. It returns no sentinel error.
//
// The counting is the database's: a week of a busy county has tens of
// thousands of reporters, nearly all with one report, and only the few
// with two or more come back. The repeats are a range of the events'
// (kind, created_at) index (idxEventKind).
func (s *Store) RepeatReporters(ctx context.Context, p Period, limit int) ([]RepeatReporter, error) {
	if limit <= 0 {
		return nil, nil
	}
	from, to := p.From.UTC(), p.To.UTC()
	var rows []struct {
		ID uint64
		N  int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT r.id AS id, COUNT(*) AS n FROM (
			SELECT citizen_id AS id FROM cases WHERE received_at >= ? AND received_at < ? AND informant_id IS NULL
			UNION ALL
			SELECT actor_id AS id FROM case_events WHERE kind = ? AND created_at >= ? AND created_at < ? AND actor_kind = ?
		) r GROUP BY r.id HAVING COUNT(*) >= 2 ORDER BY n DESC, id LIMIT ?`,
		from, to, EventRepeat, from, to, ActorCitizen, limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("repeat reporters: %w", err)
	}
	out := make([]RepeatReporter, 0, len(rows))
	for _, r := range rows {
		out = append(out, RepeatReporter{Alias: CitizenAlias(r.ID), Reports: r.N})
	}
	return out, nil
}
