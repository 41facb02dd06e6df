package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"minsheng/models"
	"minsheng/redact"
	"minsheng/triage"
)

// Hot topics (舆情热点): when reports about one place and one problem come
// from several distinct citizens within a short window (faster than
// usual), the leaders and the joint-meeting group get one 热点 alert, the
// cases are linked to a topic, and the 24-hour response rule for hot
// issues starts on the topic: if no case of it is answered or given
// progress by its lead unit in time, one 督办 goes out. The watch is the
// hot_topics job (HotTopics); the topic rows make every alert and every
// 督办 happen once, whatever the instances and reruns.

// HotSettings are hot_topics.* of config.yaml.
type HotSettings struct {
	// SimilarWithin is how far back a new report is compared with earlier
	// cases for the dispatcher's card (open cases whatever their age).
	SimilarWithin time.Duration
	// MinCitizens distinct citizens reporting one topic within Window
	// make it hot.
	MinCitizens int
	Window      time.Duration
	// Rise, when above 0, also asks that the reports in the window be at
	// least Rise times the topic's usual number per window over Baseline
	// before it (a place that always has complaints is not news).
	Rise     float64
	Baseline time.Duration
	// RespondWithin is the response clock of a hot topic (the rules: one day).
	RespondWithin time.Duration
	// Quiet is how long after its newest case a topic still takes new
	// reports; after it, a new burst is a new topic.
	Quiet time.Duration
}

// LevelHotTopic is the level of the 督办 of a hot topic not responded to.
const LevelHotTopic = "hot_topic"

// Tuning of HotTopics, not rules of the domain.
const (
	hotBatch = 200 // cases read per transaction of the scan
	hotRead  = 500 // candidates compared per case
	hotShown = 12  // case numbers a message lists
)

// HotReport says what one HotTopics did.
type HotReport struct {
	Raised, Joined, Escalated, Responded int
}

// HotTopics runs the watch at now. First it indexes the cases of the
// window (Window back, or back to the previous run when that is earlier)
// that are not indexed yet — their cards are indexed when sent, but a
// platform may be down — so that the watch never waits for a delivery.
// Then every case with a place received since the previous run (since,
// less sinceSlack; one Window back when zero) joins the live topic of a
// similar case, or, with the similar cases of the Window, raises a new one
// when enough distinct citizens wrote: a burst is seen when its newest
// case comes in. Then every topic whose response clock has run out is
// checked, and 督办 when nobody responded. Each batch of cases indexed,
// each case watched and each topic is its own transaction.
func (b *Bot) HotTopics(ctx context.Context, now, since time.Time) (HotReport, error) {
	var rep HotReport
	h := b.Settings.Hot
	if h.MinCitizens < 2 || h.Window <= 0 {
		return rep, nil
	}
	lo := now.Add(-h.Window)
	if !since.IsZero() {
		lo = since.Add(-sinceSlack)
	}
	from := lo
	if w := now.Add(-h.Window); w.Before(from) {
		from = w
	}
	for {
		var n int
		err := b.Store.Act(ctx, func(tx *models.Tx) error {
			var err error
			n, err = b.indexBetween(tx, from, now, hotBatch)
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("hot topics: index the cases since %s: %w", from.Format(time.RFC3339), err)
		}
		if n < hotBatch {
			break
		}
	}
	cur := models.Cursor{At: lo}
	var errs []error
	for {
		var batch []models.Candidate
		err := b.Store.Act(ctx, func(tx *models.Tx) error {
			var err error
			batch, err = tx.PlacedCases(cur, now, hotBatch)
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("hot topics: %w", err)
		}
		for i := range batch {
			k := &batch[i]
			err := b.Store.Act(ctx, func(tx *models.Tx) error { return b.watch(tx, k, &rep) })
			if err != nil && !errors.Is(err, models.ErrConflict) {
				errs = append(errs, fmt.Errorf("hot topics: case %s: %w", k.No, err))
			}
		}
		if len(batch) < hotBatch {
			break
		}
		last := batch[len(batch)-1]
		cur = models.Cursor{At: last.ReceivedAt, ID: last.ID}
	}
	var due []models.Topic
	err := b.Store.Act(ctx, func(tx *models.Tx) error {
		var err error
		due, err = tx.TopicsDue(now, hotBatch)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("hot topics: %w", err)
	}
	for i := range due {
		t := &due[i]
		err := b.Store.Act(ctx, func(tx *models.Tx) error { return b.respondRule(tx, t, now, &rep) })
		if err != nil && !errors.Is(err, models.ErrConflict) {
			errs = append(errs, fmt.Errorf("hot topics: topic %d: %w", t.ID, err))
		}
	}
	if rep.Raised+rep.Escalated > 0 {
		b.queued()
	}
	return rep, errors.Join(errs...)
}

// watch places indexed case k: in the live topic of a similar case, or in
// a new topic raised with the similar cases of the window, or nowhere. It
// compares the stored profiles of k and of the candidates.
func (b *Bot) watch(tx *models.Tx, k *models.Candidate, rep *HotReport) error {
	h := b.Settings.Hot
	if k.Status == models.StatusInvalid {
		return nil
	}
	if in, err := tx.TopicsOf([]uint64{k.ID}); err != nil || len(in) > 0 {
		return err
	}
	p, err := triage.DecodeProfile(k.Profile)
	if err != nil {
		return fmt.Errorf("profile of case %s: %w", k.No, err)
	}
	back := max(h.Window, h.Quiet, h.Baseline)
	cands, err := tx.SimilarCandidates(models.SimilarQuery{Places: p.Keys(), Since: k.ReceivedAt.Add(-back), Except: k.ID, Limit: hotRead})
	if err != nil {
		return err
	}
	type sim struct {
		c models.Candidate
		p triage.Profile
	}
	var sims []sim
	for _, c := range cands {
		if c.Status == models.StatusInvalid {
			continue
		}
		cp, err := triage.DecodeProfile(c.Profile)
		if err != nil {
			b.log().Warn("stored profile unreadable; case not compared", "case_id", c.ID, "err", err)
			continue
		}
		if triage.Compare(p, cp).Similar() {
			sims = append(sims, sim{c, cp})
		}
	}
	if len(sims) == 0 {
		return nil
	}
	ids := make([]uint64, len(sims))
	for i, s := range sims {
		ids[i] = s.c.ID
	}
	topicOf, err := tx.TopicsOf(ids)
	if err != nil {
		return err
	}
	// A similar case in a live topic: k joins it (newest topic first; the
	// candidates come newest first).
	for _, s := range sims {
		id, ok := topicOf[s.c.ID]
		if !ok {
			continue
		}
		t, err := tx.Topic(id)
		if err != nil {
			return err
		}
		if t.LastAt.Before(k.ReceivedAt.Add(-h.Quiet)) {
			continue // that burst is over
		}
		joined, err := tx.JoinTopic(t, models.TopicCase{CaseID: k.ID, CitizenID: k.CitizenID, ReceivedAt: k.ReceivedAt})
		if err != nil || !joined {
			return err
		}
		rep.Joined++
		return tx.Record(&models.Case{ID: k.ID, No: k.No}, models.SystemActor, models.EventHotTopic, "", "", "列入舆情热点「"+t.Title+"」")
	}
	// A burst: the similar cases of the window not in a topic, and k.
	from := k.ReceivedAt.Add(-h.Window)
	members := []sim{{*k, p}}
	base := 0
	for _, s := range sims {
		if _, ok := topicOf[s.c.ID]; ok || s.c.ReceivedAt.After(k.ReceivedAt) {
			continue
		}
		if !s.c.ReceivedAt.Before(from) {
			members = append(members, s)
		} else if h.Baseline > h.Window && !s.c.ReceivedAt.Before(k.ReceivedAt.Add(-h.Baseline)) {
			base++
		}
	}
	citizens := map[uint64]bool{}
	for _, m := range members {
		citizens[m.c.CitizenID] = true
	}
	if len(citizens) < h.MinCitizens {
		return nil
	}
	if h.Rise > 0 && h.Baseline > h.Window {
		// The usual number per window over the baseline before it.
		usual := float64(base) * float64(h.Window) / float64(h.Baseline-h.Window)
		if float64(len(members)) < h.Rise*usual {
			return nil
		}
	}
	slices.SortFunc(members, func(a, b sim) int { return a.c.ReceivedAt.Compare(b.c.ReceivedAt) })
	profiles := make([]triage.Profile, len(members))
	for i, m := range members {
		profiles[i] = m.p
	}
	place, problem := triage.Label(profiles)
	t := &models.Topic{
		Title: topicTitle(place, problem), Place: redact.Identity(place), Problem: problem,
		Places: strings.Join(topicPlaces(profiles, 6), "、"), Citizens: len(citizens), Cases: len(members),
		FirstAt: members[0].c.ReceivedAt, LastAt: members[len(members)-1].c.ReceivedAt,
		RaisedAt: tx.Now(), RespondBy: tx.Now().Add(b.respondWithin()),
	}
	if t.LastAt.Before(k.ReceivedAt) {
		t.LastAt = k.ReceivedAt
	}
	links := make([]models.TopicCase, len(members))
	for i, m := range members {
		links[i] = models.TopicCase{CaseID: m.c.ID, CitizenID: m.c.CitizenID, ReceivedAt: m.c.ReceivedAt}
	}
	if err := tx.RaiseTopic(t, links); err != nil {
		return err
	}
	for _, m := range members {
		if err := tx.Record(&models.Case{ID: m.c.ID, No: m.c.No}, models.SystemActor, models.EventHotTopic, "", "", "列入舆情热点「"+t.Title+"」"); err != nil {
			return err
		}
	}
	rep.Raised++
	b.log().Info("hot topic raised", "topic", t.ID, "cases", t.Cases, "citizens", t.Citizens)
	return b.tellTopic(tx, t, false)
}

func (b *Bot) respondWithin() time.Duration {
	if w := b.Settings.Hot.RespondWithin; w > 0 {
		return w
	}
	return 24 * time.Hour
}

// topicTitle is the topic in a few words, masked: 潇楚南路 路面破损.
func topicTitle(place, problem string) string {
	place = redact.Identity(place)
	switch {
	case place != "" && problem != "":
		return truncRunes(place+" "+problem, 40)
	case place != "":
		return truncRunes(place+" 相关问题", 40)
	}
	return truncRunes(problem, 40)
}

func truncRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// topicPlaces are the places the reports name, fine ones first, at most n, masked.
func topicPlaces(ps []triage.Profile, n int) []string {
	var fine, coarse []string
	for _, p := range ps {
		for _, pl := range p.Places {
			name := redact.Identity(pl.Name)
			if slices.Contains(fine, name) || slices.Contains(coarse, name) {
				continue
			}
			if pl.Kind.Fine() {
				fine = append(fine, name)
			} else {
				coarse = append(coarse, name)
			}
		}
	}
	out := append(fine, coarse...)
	return out[:min(n, len(out))]
}

// respondRule applies the response clock to topic t, due at now: a
// response in time (a case of the topic answered, or given progress by its
// lead unit) is recorded; otherwise the 督办 goes out, once.
func (b *Bot) respondRule(tx *models.Tx, t *models.Topic, now time.Time, rep *HotReport) error {
	first, err := tx.FirstResponse(t, leadProgress)
	if err != nil {
		return err
	}
	if first != nil && !first.After(t.RespondBy) {
		if err := tx.MarkTopicResponded(t, *first); err != nil {
			return err
		}
		rep.Responded++
		return nil
	}
	if err := tx.MarkTopicEscalated(t, now); err != nil {
		return err
	}
	rows, err := tx.TopicCases(t.ID)
	if err != nil {
		return err
	}
	note := fmt.Sprintf("舆情热点「%s」%s内无回应，请立即回应群众关切", t.Title, within(b.respondWithin()))
	for _, r := range rows {
		if !r.Status.Open() {
			continue
		}
		k := &models.Case{ID: r.CaseID, No: r.No}
		if err := tx.Record(k, models.SystemActor, models.EventHotTopic, "", "", "督办："+note); err != nil {
			return err
		}
		if r.LeadDeptID == nil {
			continue
		}
		sup := &models.Supervision{CaseID: r.CaseID, DepartmentID: *r.LeadDeptID, ByKind: models.ActorSystem, Level: LevelHotTopic, Note: note}
		if _, err := tx.AddChase(sup, fmt.Sprintf("hot:%d:%d", t.ID, r.CaseID)); err != nil {
			return err
		}
	}
	rep.Escalated++
	b.log().Info("hot topic escalated", "topic", t.ID)
	return b.tellTopic(tx, t, true)
}

// within says a duration the way the rules do: 24小时, 2天.
func within(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d > 24*time.Hour {
		return fmt.Sprintf("%d天", d/(24*time.Hour))
	}
	return fmt.Sprintf("%d小时", int(d.Hours()))
}

// tellTopic queues the 热点 alert of topic t (or, with escalate, its 督办)
// for the leaders who may see its units and the joint-meeting group, and
// with escalate for the groups of the units that lead its open cases. The
// messages hold the topic, the counts, the places, the units and the case
// numbers, never who reported. Their dedup keys name the topic, so a rerun
// queues nothing twice.
func (b *Bot) tellTopic(tx *models.Tx, t *models.Topic, escalate bool) error {
	rows, err := tx.TopicCases(t.ID)
	if err != nil {
		return err
	}
	loc := b.Location()
	var nos, units []string
	unitIDs := map[uint64]bool{}
	waiting, open := 0, 0
	for _, r := range rows {
		nos = append(nos, r.No)
		if r.Status.Open() {
			open++
		}
		if r.LeadDeptID == nil {
			if r.Status == models.StatusReceived {
				waiting++
			}
			continue
		}
		if !unitIDs[*r.LeadDeptID] {
			unitIDs[*r.LeadDeptID] = true
			units = append(units, r.LeadDept)
		}
	}
	unitLine := strings.Join(units, "、")
	if waiting > 0 {
		if unitLine != "" {
			unitLine += "；"
		}
		unitLine += fmt.Sprintf("待交办 %d 件", waiting)
	}
	noLine := strings.Join(nos[:min(len(nos), hotShown)], "、")
	if len(nos) > hotShown {
		noLine += fmt.Sprintf(" 等%d件", len(nos))
	}
	title, purpose := "舆情热点："+t.Title, "hot_topic"
	head := fmt.Sprintf("%s内 %d 位群众反映 %d 件（首次 %s）", within(b.Settings.Hot.Window), t.Citizens, t.Cases, dateTime(t.FirstAt.In(loc)))
	ask := "请问政办尽快交办，承办单位在回应时限前回应群众关切（网民发帖后一天内予以回应）。"
	if escalate {
		title, purpose = "热点督办："+t.Title, "hot_topic_escalated"
		head = fmt.Sprintf("回应时限 %s 已过，%d 件中尚无一件答复或报送进展；在办 %d 件", dateTime(t.RespondBy.In(loc)), len(rows), open)
		ask = "请承办单位立即回应群众关切并报送进展，分管领导督促落实。"
	}
	fields := []Field{{"热点", t.Title}, {"反映", fmt.Sprintf("%d 位群众 %d 件", t.Citizens, t.Cases)}, {"地点", t.Places},
		{"涉及单位", orNone(unitLine)}, {"编号", noLine}, {"回应时限", dateTime(t.RespondBy.In(loc))}}
	var md strings.Builder
	fmt.Fprintf(&md, "**%s**\n> %s\n", mdEscape(title), head)
	for _, f := range fields[2:] {
		fmt.Fprintf(&md, "> %s：%s\n", f.Key, mdEscape(f.Value))
	}
	md.WriteString("\n" + ask)
	key := func(to models.Target) string { return fmt.Sprintf("%s:%d:%s", purpose, t.ID, to) }
	put := func(platform models.Platform, to models.Target, o Outgoing) error {
		row, err := outboxRow(platform, to, 0, purpose, o)
		if err != nil {
			return err
		}
		row.DedupKey = key(to)
		if err := tx.Enqueue(row); err != nil {
			return fmt.Errorf("queue %s of topic %d to %s: %w", purpose, t.ID, to, err)
		}
		return nil
	}
	leaders, err := b.leadersForUnits(tx, unitIDs)
	if err != nil {
		return err
	}
	for i := range leaders {
		m := &leaders[i]
		card := Outgoing{Kind: KindCard, Title: title, Text: mdEscape(head + "\n\n" + ask), Fields: fields}
		if err := put(m.Platform, memberTarget(m), card); err != nil {
			return err
		}
	}
	if err := put(b.JointPlatform(), models.JointTarget(), Outgoing{Kind: KindMarkdown, Text: md.String()}); err != nil {
		return err
	}
	if !escalate {
		return nil
	}
	for id := range unitIDs {
		d, err := tx.DepartmentByID(id)
		if err != nil {
			return err
		}
		if err := put(d.Platform, groupTarget(d), Outgoing{Kind: KindMarkdown, Text: md.String()}); err != nil {
			return err
		}
	}
	return nil
}

// leadersForUnits lists the leaders who may see a case of one of the
// units: those without a scope, and those whose scope holds one of them.
func (b *Bot) leadersForUnits(tx *models.Tx, units map[uint64]bool) ([]models.Member, error) {
	all, err := tx.MembersWithRole(0, models.RoleLeader)
	if err != nil {
		return nil, err
	}
	var out []models.Member
	for i := range all {
		every, ids, err := b.scopeOf(tx, &all[i])
		if err != nil {
			return nil, err
		}
		ok := every
		for id := range units {
			ok = ok || ids[id]
		}
		if ok {
			out = append(out, all[i])
		}
	}
	return out, nil
}
