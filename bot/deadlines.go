package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"minsheng/models"
	"minsheng/redact"
)

// Who a ladder step tells.
const (
	ToGroup  = "group"  // the lead unit's group
	ToHead   = "head"   // the lead unit's heads (部门负责人)
	ToLeader = "leader" // the leaders whose scope covers the lead unit (分管领导)
	ToJoint  = "joint"  // the joint-meeting group (联席会议群)
)

// LadderStep is one rung of the reminder and 督办 ladder of a deadline.
type LadderStep struct {
	// Level names the step in 督办 records and their keys: remind, overdue,
	// leader, joint in the default config.
	Level string
	// To is who is told: ToGroup, ToHead, ToLeader or ToJoint.
	To string
	// Workdays places the step relative to the deadline: n < 0 is the start
	// of office hours on the n-th working day before it, 0 the deadline
	// itself, n > 0 the end of the n-th working day after it.
	Workdays int
}

// Ladder is what the remind job follows: the steps of every deadline and
// the clock of 签收.
type Ladder struct {
	Steps []LadderStep
	// AcceptWithin is how long a unit may take to accept (签收) before it
	// is chased; zero turns the chase off.
	AcceptWithin models.Span
	// AcceptReturnAfter is how long after the chase an assignment still not
	// accepted goes back to the dispatcher; zero never returns it.
	AcceptReturnAfter models.Span
}

// ChaseReport says what one ChaseDeadlines did.
type ChaseReport struct {
	// Chased counts the cases chased, by level (the ladder's levels and
	// models.LevelAccept).
	Chased map[string]int
	// Returned counts the assignments returned to the dispatcher for want of 签收.
	Returned int
	// Messages counts the messages queued: one per recipient and pass.
	Messages int
}

// Tuning of ChaseDeadlines, not rules of the domain.
const (
	// chaseBatch is how many rows each scan reads per transaction.
	chaseBatch = 200
	// chaseListed is how many cases one section of a message lists.
	chaseListed = 15
	// sinceSlack widens the scans back beyond the previous run, against
	// clocks that differ between server instances.
	sinceSlack = time.Hour
)

// chasedStatuses are the statuses in which a unit owes an answer.
var chasedStatuses = []models.Status{models.StatusAssigned, models.StatusHandling, models.StatusReviewing}

// ChaseDeadlines runs the reminder and 督办 ladder at now: for every open
// case whose ladder step has come, a 督办 record (models.Supervision with
// its level), an event on the case and a push to the step's recipients;
// for every assignment not accepted in time, a chase to the unit's group
// and members, then its return to the dispatcher.
//
// since is when the previous complete run started (zero if none): what
// came due by then was done by that run, so the index scans over (status,
// deadline) and (state, assignment time) look back only as far as needed and
// a run costs what the cases it acts on cost, not the table. (So a case
// reopened with a deadline already in that past is not chased: a reopened
// case needs a new deadline, models.Tx.SetDeadline.) Each step is keyed by
// case and deadline (Supervision.ChaseKey), so a rerun, a second instance
// or a manual run never chases the same deadline twice; a moved deadline
// starts afresh.
// Everything one recipient is told in a run is combined into one message,
// queued in the transaction that records it. Each pass (a batch of every
// scan) is one transaction that stores its chases together
// (models.Tx.AddChases): a first run over thousands of cases costs round
// trips per batch, not per case.
func (b *Bot) ChaseDeadlines(ctx context.Context, now, since time.Time, l Ladder) (ChaseReport, error) {
	r := b.newChaseRun(now, since, l)
	for {
		var more bool
		err := b.Store.Act(ctx, func(tx *models.Tx) error {
			p := &plan{r: r, tx: tx, drafts: map[string]*draft{}, depts: map[uint64]*models.Department{}, members: map[string][]models.Member{},
				due: map[dueScan][]models.Case{}}
			var err error
			if more, err = r.pass(p); err != nil {
				return err
			}
			if err := p.store(); err != nil {
				return err
			}
			return p.flush()
		})
		if err != nil {
			return r.report, fmt.Errorf("chase deadlines: %w", err)
		}
		if !more {
			break
		}
	}
	if r.report.Messages > 0 {
		b.queued()
	}
	return r.report, nil
}

// chaseRun is one ChaseDeadlines: the ladder, its clock and where each scan stands.
type chaseRun struct {
	b      *Bot
	l      Ladder
	now    time.Time // in the bot's location
	floor  time.Time // zero, or a time by which an earlier run did everything due
	steps  []scan
	accept scan
	ret    scan
	report ChaseReport
	// briefs are the cases' masked summaries, by case id: a case chased on
	// several rungs, or for several units, is masked once.
	briefs map[uint64]string
}

// brief is brief(k), once per case and run.
func (r *chaseRun) brief(k *models.Case) string {
	if b, ok := r.briefs[k.ID]; ok {
		return b
	}
	b := brief(k)
	r.briefs[k.ID] = b
	return b
}

// scan is one keyset scan: rows after cur and not after hi.
type scan struct {
	cur  models.Cursor
	hi   time.Time
	done bool
}

// from starts a scan just after t.
func from(t time.Time) models.Cursor { return models.Cursor{At: t, ID: math.MaxInt64} }

func (b *Bot) newChaseRun(now, since time.Time, l Ladder) *chaseRun {
	loc := b.Location()
	now = now.In(loc)
	r := &chaseRun{b: b, l: l, now: now, report: ChaseReport{Chased: map[string]int{}}, briefs: map[uint64]string{}}
	hours := b.Settings.OfficeHours
	var floor time.Time // zero: no previous run, look at everything
	if !since.IsZero() {
		floor = since.In(loc).Add(-sinceSlack)
	}
	r.floor = floor
	cal := b.Calendar
	for _, st := range l.Steps {
		s := scan{hi: now}
		switch {
		case st.Workdays < 0:
			// Deadlines still ahead, up to a working day beyond the step's
			// reach; after a complete run, only those whose reminder came
			// after it (the others were reminded then, or were assigned
			// after their reminder's time and learnt the deadline from the
			// assignment): a regular run does not read again the day or
			// two of deadlines it reminded of before.
			s.cur = from(now)
			if !floor.IsZero() {
				if f := cal.RemindFloor(floor, -st.Workdays, hours); f.After(now) {
					s.cur = from(f)
				}
			}
			s.hi, _ = cal.AddWorkdays(now, -st.Workdays+1, models.OfficeHours{})
		case !floor.IsZero():
			s.cur = from(cal.WorkdaysFloor(floor, st.Workdays, hours))
		}
		r.steps = append(r.steps, s)
	}
	r.accept = scan{hi: now, done: l.AcceptWithin == (models.Span{})}
	r.ret = scan{hi: now, done: r.accept.done || l.AcceptReturnAfter == (models.Span{})}
	if !floor.IsZero() {
		r.accept.cur = from(cal.SpanFloor(floor, l.AcceptWithin, hours))
		r.ret.cur = from(cal.SpanFloor(cal.SpanFloor(floor, l.AcceptReturnAfter, hours), l.AcceptWithin, hours))
	}
	return r
}

// stepAt is when a ladder step of a deadline due comes.
func (r *chaseRun) stepAt(due time.Time, workdays int) time.Time {
	due = due.In(r.now.Location())
	hours := r.b.Settings.OfficeHours
	switch {
	case workdays < 0:
		return r.b.Calendar.StartOfWorkdayBefore(due, -workdays, hours)
	case workdays > 0:
		t, _ := r.b.Calendar.AddWorkdays(due, workdays, hours)
		return t
	}
	return due
}

// chaseAt and returnAt are when an assignment made at t is chased and returned.
func (r *chaseRun) chaseAt(t time.Time) time.Time {
	return r.b.Calendar.AddSpan(t.In(r.now.Location()), r.l.AcceptWithin, r.b.Settings.OfficeHours)
}

func (r *chaseRun) returnAt(t time.Time) time.Time {
	return r.b.Calendar.AddSpan(r.chaseAt(t), r.l.AcceptReturnAfter, r.b.Settings.OfficeHours)
}

// pass does one batch of every scan in one transaction; more reports that
// some scan has rows left.
func (r *chaseRun) pass(p *plan) (more bool, err error) {
	// Returns first: a unit given back is not chased as well.
	if !r.ret.done {
		units, err := p.tx.UnacceptedUnits(r.ret.cur, r.ret.hi, chaseBatch)
		if err != nil {
			return false, err
		}
		r.ret.done = len(units) < chaseBatch
		for i := range units {
			u := &units[i]
			at := r.returnAt(u.CreatedAt)
			if at.After(r.now) {
				r.ret.done = true // the scan is in time order: the rest are not due either
				break
			}
			r.ret.cur = models.Cursor{At: u.CreatedAt, ID: u.ID}
			if r.doneBefore(at) {
				continue
			}
			if err := r.giveBack(p, u); err != nil {
				return false, err
			}
		}
		more = more || !r.ret.done
	}
	if !r.accept.done {
		units, err := p.tx.UnacceptedUnits(r.accept.cur, r.accept.hi, chaseBatch)
		if err != nil {
			return false, err
		}
		r.accept.done = len(units) < chaseBatch
		var due []*models.CaseUnit
		for i := range units {
			u := &units[i]
			at := r.chaseAt(u.CreatedAt)
			if at.After(r.now) {
				r.accept.done = true
				break
			}
			r.accept.cur = models.Cursor{At: u.CreatedAt, ID: u.ID}
			if r.doneBefore(at) {
				continue
			}
			due = append(due, u)
		}
		ids := make([]uint64, 0, len(due))
		for _, u := range due {
			ids = append(ids, u.CaseID)
		}
		cases, err := p.tx.CasesByID(ids)
		if err != nil {
			return false, err
		}
		for _, u := range due {
			k, ok := cases[u.CaseID]
			if !ok {
				return false, fmt.Errorf("case %d of unit %d: %w", u.CaseID, u.ID, models.ErrNotFound)
			}
			if err := r.chaseAccept(p, u, k); err != nil {
				return false, err
			}
		}
		more = more || !r.accept.done
	}
	for i, st := range r.l.Steps {
		s := &r.steps[i]
		if s.done {
			continue
		}
		cases, err := p.dueCases(s)
		if err != nil {
			return false, err
		}
		s.done = len(cases) < chaseBatch
		var due []*models.Case
		for j := range cases {
			k := &cases[j]
			at := r.stepAt(*k.DueAt, st.Workdays)
			if at.After(r.now) {
				s.done = true
				break
			}
			s.cur = models.Cursor{At: *k.DueAt, ID: k.ID}
			if r.doneBefore(at) {
				continue
			}
			due = append(due, k)
		}
		var units map[uint64][]models.CaseUnit
		if st.Workdays < 0 && len(due) > 0 {
			// A reminder looks at the units of its case: all of the batch's at once.
			ids := make([]uint64, 0, len(due))
			for _, k := range due {
				ids = append(ids, k.ID)
			}
			if units, err = p.tx.UnitsOf(ids); err != nil {
				return false, err
			}
		}
		for _, k := range due {
			if err := r.climb(p, st, k, units[k.ID]); err != nil {
				return false, err
			}
		}
		more = more || !s.done
	}
	return more, nil
}

// doneBefore reports whether a step that came at was due when the previous
// complete run ran, which then took it (or found it did not apply).
func (r *chaseRun) doneBefore(at time.Time) bool {
	return !r.floor.IsZero() && !at.After(r.floor)
}

// climb takes case k one step up the ladder, unless that step was taken
// before; units are the case's active units (read for a reminder only).
func (r *chaseRun) climb(p *plan, st LadderStep, k *models.Case, units []models.CaseUnit) error {
	if k.LeadDeptID == nil || k.DueAt == nil {
		return nil
	}
	due := k.DueAt.In(r.now.Location())
	at := r.stepAt(due, st.Workdays)
	if st.Workdays < 0 {
		// A reminder is for units that had the case before it: one
		// assigned later learnt the deadline from the assignment itself.
		for _, u := range units {
			if u.Role == models.UnitLead && !u.CreatedAt.Before(at) {
				return nil
			}
		}
	}
	d, err := p.dept(*k.LeadDeptID)
	if err != nil {
		return err
	}
	// Who is told, and how the record says it.
	var targets []target
	var told string
	switch st.To {
	case ToGroup:
		targets, told = []target{groupOf(d)}, d.Name+"工作群"
	case ToHead:
		heads, err := p.role(d.ID, models.RoleHead)
		if err != nil {
			return err
		}
		targets, told = membersOf(heads), d.Name+"负责人"
		if len(heads) == 0 {
			targets, told = []target{groupOf(d)}, d.Name+"工作群（未配置负责人）"
		}
	case ToLeader:
		leaders, err := p.leaders(d.ID)
		if err != nil {
			return err
		}
		targets, told = membersOf(leaders), "领导"
		if len(leaders) == 0 {
			dispatchers, err := p.role(0, models.RoleDispatcher)
			if err != nil {
				return err
			}
			targets, told = membersOf(dispatchers), "问政办（未配置领导）"
		}
	case ToJoint:
		targets, told = []target{r.b.jointTarget()}, "联席会议群"
	default:
		return fmt.Errorf("ladder step %s: unknown recipient %q", st.Level, st.To)
	}
	key := fmt.Sprintf("%s:%s:%s", st.Level, k.No, due.Format("2006-01-02T15:04"))
	var note string
	switch {
	case st.Workdays < 0:
		note = fmt.Sprintf("到期提醒：办理时限 %s，已提醒%s", dateTime(due), told)
	case st.Workdays == 0:
		note = fmt.Sprintf("到期督办：已到办理时限 %s，已推送%s", dateTime(due), told)
	default:
		note = fmt.Sprintf("超期督办：超过办理时限 %s 已%d个工作日，已报送%s", dateTime(due), st.Workdays, told)
	}
	line := fmt.Sprintf("%s｜%s｜时限 %s｜%s", k.No, d.Name, shortTime(due), r.brief(k))
	if st.Workdays > 0 {
		line = fmt.Sprintf("%s｜%s｜时限 %s｜超期%d个工作日｜%s", k.No, d.Name, shortTime(due), r.b.Calendar.WorkdaysBetween(due, r.now), r.brief(k))
	}
	sec := r.ladderSection(st)
	c := pending{chase: models.Chase{Case: k, Key: key,
		Supervision: models.Supervision{DepartmentID: d.ID, ByKind: models.ActorSystem, Level: st.Level, Note: note}}}
	for _, t := range targets {
		c.news = append(c.news, news{t, sec, line})
	}
	p.pending = append(p.pending, c)
	return nil
}

// ladderSection is how a step's part of a message reads.
func (r *chaseRun) ladderSection(st LadderStep) section {
	switch {
	case st.Workdays < 0:
		return section{key: st.Level, title: "到期提醒", intro: fmt.Sprintf("以下问题%d个工作日后到期，请抓紧办理：", -st.Workdays)}
	case st.Workdays == 0:
		return section{key: st.Level, title: "到期督办", intro: "以下问题已到办理时限仍未答复，请督促办理并尽快答复："}
	case st.To == ToJoint:
		return section{key: st.Level, title: "超期通报", intro: fmt.Sprintf("以下问题超过办理时限%d个工作日仍未答复：", st.Workdays)}
	}
	return section{key: st.Level, title: "超期督办", intro: fmt.Sprintf("以下问题超过办理时限%d个工作日仍未答复，请督办：", st.Workdays)}
}

// chaseAccept chases unit u of case k, which has not accepted (签收) in time.
func (r *chaseRun) chaseAccept(p *plan, u *models.CaseUnit, k *models.Case) error {
	if !slices.Contains(chasedStatuses, k.Status) {
		return nil
	}
	d, err := p.dept(u.DepartmentID)
	if err != nil {
		return err
	}
	assigned := u.CreatedAt.In(r.now.Location())
	note := fmt.Sprintf("催办签收：%s（%s）交办后超过%s未签收", d.Name, u.RoleLabel(), r.l.AcceptWithin.Label())
	key := fmt.Sprintf("%s:%s:%d", models.LevelAccept, k.No, u.ID)
	sec := section{key: models.LevelAccept, title: "催办签收",
		intro: fmt.Sprintf("以下交办超过%s未签收，请尽快签收（发送：签收 编号）；再过%s仍未签收将退回问政办：",
			r.l.AcceptWithin.Label(), r.l.AcceptReturnAfter.Label()),
		accept: true}
	if r.l.AcceptReturnAfter == (models.Span{}) {
		sec.intro = fmt.Sprintf("以下交办超过%s未签收，请尽快签收（发送：签收 编号）：", r.l.AcceptWithin.Label())
	}
	line := fmt.Sprintf("%s｜%s（%s）｜交办于 %s｜%s", k.No, d.Name, u.RoleLabel(), shortTime(assigned), r.brief(k))
	members, err := p.role(d.ID, models.RoleOfficer, models.RoleHead)
	if err != nil {
		return err
	}
	c := pending{chase: models.Chase{Case: k, Key: key,
		Supervision: models.Supervision{DepartmentID: d.ID, ByKind: models.ActorSystem, Level: models.LevelAccept, Note: note}}}
	c.news = append(c.news, news{groupOf(d), sec, line})
	for _, t := range membersOf(members) {
		c.news = append(c.news, news{t, sec, line})
	}
	p.pending = append(p.pending, c)
	return nil
}

// giveBack returns unit u, still not accepted after the chase, to the
// dispatcher: the unit's part ends, a lead unit's case goes back to triage.
func (r *chaseRun) giveBack(p *plan, u *models.CaseUnit) error {
	k, err := p.tx.CaseIDForUpdate(u.CaseID)
	if err != nil {
		return err
	}
	if !slices.Contains(chasedStatuses, k.Status) {
		return nil
	}
	if err := p.tx.ReturnUnaccepted(u); errors.Is(err, models.ErrConflict) {
		return nil // accepted meanwhile
	} else if err != nil {
		return err
	}
	d, err := p.dept(u.DepartmentID)
	if err != nil {
		return err
	}
	waited := r.l.AcceptWithin.Label() + "及催办后" + r.l.AcceptReturnAfter.Label()
	body := fmt.Sprintf("%s（%s）交办后%s仍未签收，系统退回问政办", d.Name, u.RoleLabel(), waited)
	if u.Role == models.UnitLead && k.Status == models.StatusAssigned {
		if err := p.tx.Move(k, models.StatusReceived, models.SystemActor, models.EventReturned, body,
			map[string]any{"lead_dept_id": nil, "due_at": nil}); err != nil {
			return err
		}
	} else if err := p.tx.Record(k, models.SystemActor, models.EventReturned, "", "", body); err != nil {
		return err
	}
	r.report.Returned++
	key := fmt.Sprintf("return:%s:%d", k.No, u.ID)
	assigned := shortTime(u.CreatedAt.In(r.now.Location()))
	line := fmt.Sprintf("%s｜%s（%s）｜交办于 %s｜%s", k.No, d.Name, u.RoleLabel(), assigned, r.brief(k))
	dispatchers, err := p.role(0, models.RoleDispatcher)
	if err != nil {
		return err
	}
	back := section{key: "returned", title: "逾期未签收退回",
		intro: fmt.Sprintf("以下交办%s仍未签收，已退回，请重新交办（发送：交办 编号 单位）：", waited)}
	if u.Role != models.UnitLead {
		back = section{key: "returned_co", title: "协办单位逾期未签收",
			intro: "以下协办单位逾期未签收，已退出办理，如需协办请重新交办："}
	}
	for _, t := range membersOf(dispatchers) {
		p.add(t, back, k, key, line)
	}
	gone := section{key: "withdrawn", title: "交办已收回", intro: "以下交办逾期未签收，已退回问政办，无需再签收："}
	p.add(groupOf(d), gone, k, key, line)
	return nil
}

// target is one recipient of the outbox.
type target struct {
	platform models.Platform
	to       models.Target
}

func groupOf(d *models.Department) target { return target{d.Platform, groupTarget(d)} }

func membersOf(ms []models.Member) []target {
	out := make([]target, 0, len(ms))
	for i := range ms {
		out = append(out, target{ms[i].Platform, memberTarget(&ms[i])})
	}
	return out
}

// jointTarget is the joint-meeting group on the platform of its robot.
func (b *Bot) jointTarget() target {
	return target{b.JointPlatform(), models.JointTarget()}
}

// section is one kind of news in a combined message.
type section struct {
	key, title, intro string
	// accept marks a 签收 chase: a card about one case gets the button.
	accept bool
}

// entry is one case in a section.
type entry struct {
	k    *models.Case
	key  string
	line string
}

// draft is the combined message of one recipient in one pass.
type draft struct {
	target
	order    []string
	sections map[string]section
	entries  map[string][]entry
}

// plan collects a pass's chases and messages and caches what it looked up.
type plan struct {
	r       *chaseRun
	tx      *models.Tx
	order   []string
	drafts  map[string]*draft
	depts   map[uint64]*models.Department
	members map[string][]models.Member
	// pending are the pass's chases in the order they were found, stored
	// together by store.
	pending []pending
	// due are the pass's batches of due cases, by where they start.
	due map[dueScan][]models.Case
}

// dueScan is where a batch of due cases starts and ends.
type dueScan struct {
	at, id, hi int64
}

// dueCases reads the next batch of scan s, once per pass: in a first run
// the steps after the deadline (overdue, leader, joint) start together and
// page through the same overdue cases until their times part, so in a pass
// their scans are mostly the same batch, read once and shared (read only).
// Within the pass's transaction a second read would find the same rows.
func (p *plan) dueCases(s *scan) ([]models.Case, error) {
	key := dueScan{s.cur.At.UnixNano(), int64(s.cur.ID), s.hi.UnixNano()}
	if s.cur.At.IsZero() {
		key.at = 0
	}
	if cases, ok := p.due[key]; ok {
		return cases, nil
	}
	cases, err := p.tx.DueCases(chasedStatuses, s.cur, s.hi, chaseBatch)
	if err != nil {
		return nil, err
	}
	p.due[key] = cases
	return cases, nil
}

// pending is one chase found by a pass and what it tells whom.
type pending struct {
	chase models.Chase
	news  []news
}

// news is one line for one recipient's message.
type news struct {
	to   target
	sec  section
	line string
}

// store stores the pass's chases at once (models.Tx.AddChases) and puts
// each one that was not on record yet into its recipients' messages, in
// the order the pass found them: the messages read as if each chase had
// been stored as it was found.
func (p *plan) store() error {
	if len(p.pending) == 0 {
		return nil
	}
	chases := make([]models.Chase, len(p.pending))
	for i := range p.pending {
		chases[i] = p.pending[i].chase
	}
	fresh, err := p.tx.AddChases(chases)
	if err != nil {
		return err
	}
	for i := range p.pending {
		if !fresh[i] {
			continue
		}
		c := &p.pending[i]
		p.r.report.Chased[c.chase.Supervision.Level]++
		for _, n := range c.news {
			p.add(n.to, n.sec, c.chase.Case, c.chase.Key, n.line)
		}
	}
	p.pending = nil
	return nil
}

func (p *plan) dept(id uint64) (*models.Department, error) {
	if d, ok := p.depts[id]; ok {
		return d, nil
	}
	d, err := p.tx.DepartmentByID(id)
	if err != nil {
		return nil, err
	}
	p.depts[id] = d
	return d, nil
}

// role lists the active members of dept (0: any) with one of roles.
func (p *plan) role(dept uint64, roles ...models.Role) ([]models.Member, error) {
	key := fmt.Sprint(dept, roles)
	if ms, ok := p.members[key]; ok {
		return ms, nil
	}
	ms, err := p.tx.MembersWithRole(dept, roles...)
	if err != nil {
		return nil, err
	}
	p.members[key] = ms
	return ms, nil
}

// leaders lists the leaders whose scope covers unit dept (分管领导).
func (p *plan) leaders(dept uint64) ([]models.Member, error) {
	key := fmt.Sprint("leaders of ", dept)
	if ms, ok := p.members[key]; ok {
		return ms, nil
	}
	ms, err := p.r.b.leadersCovering(p.tx, dept)
	if err != nil {
		return nil, err
	}
	p.members[key] = ms
	return ms, nil
}

// add puts case k's line into t's message under sec.
func (p *plan) add(t target, sec section, k *models.Case, key, line string) {
	id := string(t.platform) + "|" + t.to.String()
	d, ok := p.drafts[id]
	if !ok {
		d = &draft{target: t, sections: map[string]section{}, entries: map[string][]entry{}}
		p.drafts[id] = d
		p.order = append(p.order, id)
	}
	if _, ok := d.sections[sec.key]; !ok {
		d.sections[sec.key] = sec
		d.order = append(d.order, sec.key)
	}
	d.entries[sec.key] = append(d.entries[sec.key], entry{k: k, key: key, line: line})
}

// flush queues one message per recipient. Its dedup key is made of the
// chases it reports, so the same news is never queued twice.
func (p *plan) flush() error {
	for _, id := range p.order {
		d := p.drafts[id]
		o, keys, caseID := p.render(d)
		slices.Sort(keys)
		sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
		dedup := "chase:" + d.to.String() + ":" + hex.EncodeToString(sum[:16])
		if o.Kind == KindCard && len(o.Buttons) > 0 {
			// Task ids are unique per app: one per recipient.
			task := sha256.Sum256([]byte(dedup))
			o.TaskID = "chase-" + hex.EncodeToString(task[:12])
		}
		row, err := keyedRow(d.platform, d.to, caseID, "chase", dedup, o)
		if err != nil {
			return err
		}
		if err := p.tx.Enqueue(row); err != nil {
			return fmt.Errorf("queue chase message to %s: %w", d.to, err)
		}
		if row.ID != 0 {
			p.r.report.Messages++
		}
	}
	return nil
}

// render writes a draft as one message: markdown listing every section, or,
// for a member told about one case, a card that opens it.
func (p *plan) render(d *draft) (Outgoing, []string, uint64) {
	var keys []string
	var only *entry
	n := 0
	for _, s := range d.order {
		for i := range d.entries[s] {
			keys = append(keys, d.entries[s][i].key)
			only = &d.entries[s][i]
			n++
		}
	}
	if n == 1 && d.to.Kind == models.TargetMember {
		sec := d.sections[d.order[0]]
		k := only.k
		o := Outgoing{Kind: KindCard, Title: sec.title + " " + k.No, CaseNo: k.No, URL: p.r.b.caseURL(k.No),
			Text: sec.intro + "\n" + only.line, Fields: []Field{{"编号", k.No}}}
		if k.DueAt != nil {
			o.Fields = append(o.Fields, Field{"时限", dateTime(k.DueAt.In(p.r.now.Location()))})
		}
		if sec.accept {
			o.Buttons = []Button{verbButton(VerbAccept, k.No)}
		}
		return o, keys, k.ID
	}
	var sb strings.Builder
	for i, s := range d.order {
		sec, list := d.sections[s], d.entries[s]
		if i > 0 {
			sb.WriteString("\n\n")
		}
		fmt.Fprintf(&sb, "**%s（%d件）**\n%s", sec.title, len(list), sec.intro)
		for j, e := range list {
			if j == chaseListed {
				fmt.Fprintf(&sb, "\n> …另有%d件，请发送“待办”查看", len(list)-chaseListed)
				break
			}
			sb.WriteString("\n> " + e.line)
		}
	}
	var caseID uint64
	if n == 1 {
		caseID = only.k.ID
	}
	o := Outgoing{Kind: KindMarkdown, Text: sb.String()}
	if n == 1 {
		o.CaseNo = only.k.No
	}
	return o, keys, caseID
}

// brief is a case's problem as a unit may read it, in a few words.
func brief(k *models.Case) string { return mdEscape(summary(redact.Identity(k.Content), 20)) }

// shortTime is a time within the year, as lists show it.
func shortTime(t time.Time) string { return t.Format("01月02日 15:04") }

// keyedRow is an outbox row with a deterministic dedup key, for jobs: a
// rerun that would say the same thing queues nothing.
func keyedRow(platform models.Platform, to models.Target, caseID uint64, purpose, key string, o Outgoing) (*models.Outbox, error) {
	payload, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encode %s message: %w", purpose, err)
	}
	return &models.Outbox{Platform: platform, Target: to.String(), Kind: purpose, Payload: string(payload),
		CaseID: caseID, DedupKey: key, Ref: o.TaskID}, nil
}
