package bot

import (
	"fmt"
	"sort"
	"strings"

	"minsheng/models"
	"minsheng/redact"
)

// caseURL links a card to the case page.
func (b *Bot) caseURL(no string) string {
	if b.Settings.PublicURL == "" {
		return ""
	}
	return strings.TrimRight(b.Settings.PublicURL, "/") + "/case/" + no
}

// Suggest picks the unit whose routing keywords the text matches most; nil
// when none matches.
func Suggest(deps []models.Department, text string) *models.Department {
	best, score := -1, 0
	for i := range deps {
		n := 0
		for _, k := range deps[i].KeywordList() {
			if strings.Contains(text, k) {
				n++
			}
		}
		if n > score {
			best, score = i, n
		}
	}
	if best < 0 {
		return nil
	}
	return &deps[best]
}

// newCaseAudience is who hears of a new case: the dispatchers, and the
// units one of which is suggested; with what of the card can be worked out
// before the case has its number.
type newCaseAudience struct {
	dispatchers []models.Member
	deps        []models.Department
	// sugs are the suggested units, best first (none when nothing fits),
	// sure whether the first is a clear choice; text is the report as the
	// card shows it.
	sugs []unitSuggestion
	sure bool
	text string
}

// newCaseAudience is the dispatchers and the active units, kept by the
// store between changes of the organisation (models.Directory): shared, so
// read only.
func (b *Bot) newCaseAudience(tx *models.Tx, content string) (*newCaseAudience, error) {
	d, err := tx.Directory()
	if err != nil {
		return nil, err
	}
	sugs, sure := b.suggestUnits(d.Departments, content, 3)
	return &newCaseAudience{
		dispatchers: d.Dispatchers, deps: d.Departments,
		sugs: sugs, sure: sure, text: mdEscape(summary(content, 300)),
	}, nil
}

// notifyNewCase sends the dispatchers a card for a new case: the text (the
// dispatcher may see it whole), the reporter's alias, up to three suggested
// units with the words that weighed for each, and buttons that decide in one
// tap: 交办 to each suggested unit (labelled with its shortest everyday
// name when it has one), 无效 and 重复 (which ask for the reason or the
// original number). Five buttons at most: DingTalk's limit, under WeCom's
// six. The similar cases are not looked up here, on the citizen's
// callback, but when the card is sent (AtSend, similar.go).
func (b *Bot) notifyNewCase(tx *models.Tx, k *models.Case, c *models.Citizen, to *newCaseAudience) error {
	dispatchers := to.dispatchers
	who, err := reporterField(tx, k, c) // 反映人, or 来源 for an information officer
	if err != nil {
		return err
	}
	// The deadline runs from receipt: the date the citizen was promised.
	fields := []Field{{"编号", k.No}, who, {"受理", dateTime(k.ReceivedAt.In(b.Location()))},
		{"答复时限", b.caseDue(k, k.Kind).Label()}}
	var buttons []Button
	if len(to.sugs) > 0 {
		fields = append(fields, Field{"建议承办", suggestionField(to.sugs, to.sure)})
		for _, s := range to.sugs {
			btn := unitButton(VerbAssign, k.No, s.dept)
			if short := b.shortName(s.dept.Code); short != "" {
				btn.Text = string(VerbAssign) + short // 交办县住房和城乡建… does not fit a button
			}
			buttons = append(buttons, btn)
		}
	}
	buttons = append(buttons, verbButton(VerbInvalid, k.No), verbButton(VerbDuplicate, k.No))
	card := Outgoing{
		Kind: KindCard, Title: "新问题 " + k.No, CaseNo: k.No, URL: b.caseURL(k.No),
		Text:    to.text + "\n\n交办：交办 " + k.No + " 单位 [协办 单位]；无效：无效 " + k.No + " 理由",
		Fields:  fields,
		Buttons: buttons,
	}
	// One INSERT for all the cards.
	rows := make([]*models.Outbox, len(dispatchers))
	for i := range dispatchers {
		m := &dispatchers[i]
		row, err := outboxRow(m.Platform, memberTarget(m), k.ID, purposeNewCase, forMember(m, purposeNewCase, card))
		if err != nil {
			return err
		}
		rows[i] = row
	}
	if err := tx.EnqueueAll(rows); err != nil {
		return fmt.Errorf("queue new case cards of %s: %w", k.No, err)
	}
	return nil
}

// notifyAssigned tells each unit's group and members, and the citizen.
func (b *Bot) notifyAssigned(tx *models.Tx, k *models.Case, lead *models.Department, co []*models.Department) error {
	dueText := b.dueText(k)
	left := "未定"
	if k.DueAt != nil {
		left = b.timeLeft(tx.Now(), *k.DueAt)
	}
	text := redact.Identity(k.Content)
	for i, d := range append([]*models.Department{lead}, co...) {
		role := "牵头"
		if i > 0 {
			role = "协办"
		}
		md := fmt.Sprintf("**新交办 %s**（%s）\n> 时限：%s（%s）\n> 等级：%s\n\n%s\n\n请在应用中发送：签收 %s", k.No, role, dueText, left, k.Severity, mdEscape(summary(text, 300)), k.No)
		if err := toGroup(tx, d, k.ID, "group_assigned", Outgoing{Kind: KindMarkdown, Text: md, CaseNo: k.No}); err != nil {
			return err
		}
		members, err := tx.MembersWithRole(d.ID, models.RoleOfficer, models.RoleHead)
		if err != nil {
			return err
		}
		for j := range members {
			card := Outgoing{
				Kind: KindCard, Title: "交办 " + k.No + "（" + role + "）", CaseNo: k.No, URL: b.caseURL(k.No),
				Text:   mdEscape(summary(text, 300)),
				Fields: []Field{{"编号", k.No}, {"单位", d.Name + "（" + role + "）"}, {"时限", dueText}, {"剩余", left}},
				Buttons: []Button{
					verbButton(VerbAccept, k.No),
					verbButton(VerbReturn, k.No),
				},
			}
			if err := toMember(tx, &members[j], k.ID, "accept", card); err != nil {
				return err
			}
		}
	}
	msg := fmt.Sprintf("您反映的问题（编号 %s）已交由%s办理，办理时限 %s。", k.No, lead.Name, dueText)
	return toCitizen(tx, k, "citizen_assigned", msg, Field{"编号", k.No}, Field{"承办单位", lead.Name}, Field{"时限", dueText})
}

func dueLabel(b *Bot, k *models.Case) string {
	if k.DueAt == nil {
		return "未定"
	}
	return dateTime(k.DueAt.In(b.Location()))
}

// notifyReturned tells the dispatchers a unit returned the case.
func (b *Bot) notifyReturned(tx *models.Tx, k *models.Case, d *models.Department, u *models.CaseUnit, reason string) error {
	dispatchers, err := tx.MembersWithRole(0, models.RoleDispatcher)
	if err != nil {
		return err
	}
	card := Outgoing{
		Kind: KindCard, Title: "退回 " + k.No, CaseNo: k.No, URL: b.caseURL(k.No),
		Text:   fmt.Sprintf("%s（%s）退回：%s\n\n请重新交办：交办 %s 单位", d.Name, u.RoleLabel(), reason, k.No),
		Fields: []Field{{"编号", k.No}, {"退回单位", d.Name}},
	}
	for i := range dispatchers {
		if err := toMember(tx, &dispatchers[i], k.ID, "returned", card); err != nil {
			return err
		}
	}
	return nil
}

// notifySupervision pushes a 督办 to the unit's group and its heads.
func (b *Bot) notifySupervision(tx *models.Tx, k *models.Case, u models.CaseUnit, by *models.Member, note string) error {
	d, err := tx.DepartmentByID(u.DepartmentID)
	if err != nil {
		return err
	}
	md := fmt.Sprintf("**督办 %s**\n> 督办人：%s\n> 时限：%s\n\n%s", k.No, by.Name, dueLabel(b, k), mdEscape(note))
	if err := toGroup(tx, d, k.ID, "supervise", Outgoing{Kind: KindMarkdown, Text: md, CaseNo: k.No}); err != nil {
		return err
	}
	heads, err := tx.MembersWithRole(d.ID, models.RoleHead)
	if err != nil {
		return err
	}
	for i := range heads {
		card := Outgoing{Kind: KindCard, Title: "督办 " + k.No, CaseNo: k.No, URL: b.caseURL(k.No), Text: mdEscape(note),
			Fields: []Field{{"编号", k.No}, {"督办人", by.Name}, {"时限", dueLabel(b, k)}}}
		if err := toMember(tx, &heads[i], k.ID, "supervise", card); err != nil {
			return err
		}
	}
	return nil
}

// notifySerious pushes a 重大/特别重大 case to the leaders and the joint
// meeting at once, with its report-up deadline.
func (b *Bot) notifySerious(tx *models.Tx, k *models.Case) error {
	within, _ := b.reportUpWithin(k.Severity)
	// Like every clock, the report-up clock runs from the citizen's report.
	due := k.ReceivedAt.Add(within).In(b.Location())
	// Leaders see the cases of their scope (bot/leader.go); the alert is
	// chased until one of them sends 知悉 (bot/serious.go).
	leaders, err := b.leadersForCase(tx, k)
	if err != nil {
		return err
	}
	al, err := tx.RaiseAlert(k, due)
	if err != nil {
		return err
	}
	if err := b.reportUp(tx, k, al); err != nil {
		return err
	}
	text := mdEscape(summary(redact.Identity(k.Content), 300))
	for i := range leaders {
		card := Outgoing{Kind: KindCard, Title: string(k.Severity) + " " + k.No, CaseNo: k.No, URL: b.caseURL(k.No), Text: text,
			Fields:  []Field{{"编号", k.No}, {"等级", string(k.Severity)}, {"报送时限", dateTime(due)}},
			Buttons: []Button{verbButton(VerbAck, k.No)}}
		if err := toMember(tx, &leaders[i], k.ID, "serious", card); err != nil {
			return err
		}
	}
	md := fmt.Sprintf("**%s事项 %s**\n> 报送时限：%s\n\n%s", k.Severity, k.No, dateTime(due), text)
	return enqueue(tx, b.JointPlatform(), models.JointTarget(), k.ID, "serious_joint", Outgoing{Kind: KindMarkdown, Text: md, CaseNo: k.No})
}

// updateCards queues an update of the cards of purpose sent for case k to
// everyone but who, so nobody presses a button that is already spent. When
// who belongs to a unit, only that unit's cards change: another unit's card
// for the same case (a co-handler's 签收) is still theirs to press.
func (b *Bot) updateCards(tx *models.Tx, k *models.Case, purpose string, who *models.Member, label string) error {
	rows, err := tx.CaseOutbox(k, purpose)
	if err != nil {
		return err
	}
	self := memberTarget(who)
	seen := map[models.Target]bool{}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].ID > rows[j].ID })
	for _, r := range rows {
		to, err := models.ParseTarget(r.Target)
		if err != nil || r.Ref == "" || to == self || seen[to] {
			continue
		}
		seen[to] = true
		if who.DepartmentID != nil && !sameUnit(tx, to, *who.DepartmentID) {
			continue
		}
		upd := Outgoing{Kind: KindUpdate, TaskID: r.Ref, Text: label, CaseNo: k.No}
		if err := enqueue(tx, r.Platform, to, k.ID, "card_update", upd); err != nil {
			return err
		}
	}
	return nil
}

// sameUnit reports whether the member target belongs to department dept.
func sameUnit(tx *models.Tx, target models.Target, dept uint64) bool {
	if target.Kind != models.TargetMember {
		return false
	}
	m, err := tx.MemberByID(target.ID)
	return err == nil && m.DepartmentID != nil && *m.DepartmentID == dept
}
