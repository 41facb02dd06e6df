package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"minsheng/models"
	"minsheng/redact"
)

// CitizenMessage is one message or event from a citizen, whatever platform
// carried it (today the Official Account).
type CitizenMessage struct {
	Platform string
	OpenID   string
	// MsgID is the platform's message id; 0 for events.
	MsgID      int64
	CreateTime int64
	// MsgType is text, image, voice, video, shortvideo, location, link or event.
	MsgType     string
	Content     string
	PicURL      string
	MediaID     string
	Format      string
	Recognition string
	Latitude    float64
	Longitude   float64
	Scale       int
	Label       string
	Event       string
	EventKey    string
}

// dedupKey names the message uniquely on its platform without the openid
// in clear: events have no MsgId, so the sender and time stand for it.
func (m CitizenMessage) dedupKey() string {
	if m.MsgID != 0 {
		return fmt.Sprintf("msg:%d", m.MsgID)
	}
	h := sha256.Sum256([]byte(m.OpenID))
	return fmt.Sprintf("evt:%s:%d:%s:%s", hex.EncodeToString(h[:12]), m.CreateTime, m.Event, m.EventKey)
}

// Outcomes recorded on inbound messages.
const (
	OutcomeCase        = "case"
	OutcomeRepeat      = "repeat"
	OutcomeRateLimited = "rate_limited"
	OutcomeQuery       = "query"
	OutcomeSupplement  = "supplement"
	OutcomeAttachment  = "attachment"
	OutcomeHelp        = "help"
	OutcomeIgnored     = "ignored"
)

// Reply is the bot's answer to a citizen's message.
type Reply struct {
	// Text is the passive reply; empty means answer nothing.
	Text string
	// Outcome says what the message became.
	Outcome string
	// CaseNo is the case opened or touched, if any.
	CaseNo string
	// Retry is true when the platform delivered this message before.
	Retry bool
}

// HandleCitizen turns a citizen's message into a case, a query answer or a
// help text. Everything it decides is committed before it returns, so the
// caller may answer the platform at once; an error means nothing was kept and
// the platform's retry may succeed later.
func (b *Bot) HandleCitizen(ctx context.Context, m CitizenMessage) (Reply, error) {
	if m.OpenID == "" {
		return Reply{}, errors.New("citizen message without sender")
	}
	// The record of the message keeps no more of it than a case keeps.
	text := m.recordText()
	if r := []rune(text); b.Settings.MaxLength > 0 && len(r) > b.Settings.MaxLength {
		text = string(r[:b.Settings.MaxLength])
	}
	in := models.Inbound{
		Platform: m.Platform, DedupKey: m.dedupKey(), OpenID: m.OpenID,
		MsgType: m.MsgType, Content: text,
	}
	var caseNo string
	r, err := b.Store.Receive(ctx, in, func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
		rep, err := b.decide(tx, c, m)
		caseNo = rep.CaseNo
		return models.Receipt{Reply: rep.Text, Outcome: rep.Outcome, CaseID: rep.caseID}, err
	})
	if err != nil {
		return Reply{}, fmt.Errorf("handle %s message: %w", m.Platform, err)
	}
	if r.CaseNo != "" {
		// The number of the case the message opened, as committed.
		caseNo = r.CaseNo
	}
	b.queued()
	if r.Retry {
		b.log().InfoContext(ctx, "platform retry answered from record", "platform", m.Platform, "outcome", r.Outcome)
	}
	return Reply{Text: r.Reply, Outcome: r.Outcome, CaseNo: caseNo, Retry: r.Retry}, nil
}

// recordText is what the inbound record keeps of the message.
func (m CitizenMessage) recordText() string {
	switch m.MsgType {
	case "text":
		return m.Content
	case "voice":
		return m.Recognition
	case "location":
		return m.Label
	case "event":
		return strings.TrimSpace(m.Event + " " + m.EventKey)
	}
	return ""
}

// decision is a Reply plus the case it touched, for the record.
type decision struct {
	Reply
	caseID uint64
}

func (b *Bot) decide(tx *models.Tx, c *models.Citizen, m CitizenMessage) (decision, error) {
	switch m.MsgType {
	case "text":
		return b.citizenText(tx, c, m)
	case "image", "voice", "location":
		return b.citizenAttachment(tx, c, m)
	case "event":
		switch strings.ToLower(m.Event) {
		case "subscribe":
			return decision{Reply: Reply{Text: b.welcome(), Outcome: OutcomeHelp}}, nil
		case "click":
			if strings.EqualFold(m.EventKey, "MINE") {
				return b.mine(tx, c)
			}
			return decision{Reply: Reply{Text: b.welcome(), Outcome: OutcomeHelp}}, nil
		}
		return decision{Reply: Reply{Outcome: OutcomeIgnored}}, nil
	}
	return decision{Reply: Reply{Text: "暂不支持这类消息。请用文字描述您反映的问题，也可以发送图片、语音或位置作为补充。", Outcome: OutcomeIgnored}}, nil
}

func (b *Bot) citizenText(tx *models.Tx, c *models.Citizen, m CitizenMessage) (decision, error) {
	cmd := ParseCitizen(m.Content)
	if v := verbs().citizenVerb(cmd.Verb); v != nil {
		return v.run(citizenTurn{b: b, tx: tx, c: c, m: m, cmd: cmd})
	}
	if cmd.Verb == VerbUsage {
		return decision{Reply: Reply{Text: usage(cmd), Outcome: OutcomeHelp}}, nil
	}
	text := cmd.Text
	// A 不满意 waiting for its reason takes the next text, however short (rating.go).
	if d, ok, err := b.ratingReason(tx, c, m.Platform, text); ok || err != nil {
		return d, err
	}
	if utf8.RuneCountInString(text) < b.Settings.MinLength {
		return decision{Reply: Reply{Text: "您好！请用一两句话描述您遇到的问题（发生在哪里、什么情况），我们会登记并转交有关部门办理。\n\n" + b.welcome(), Outcome: OutcomeHelp}}, nil
	}
	return b.report(tx, c, m.Platform, text, nil)
}

// report opens a case, or links a repeat, or refuses politely when the
// citizen has opened too many in the last hour. The text is on record in
// every case. informant is set for an information officer's 舆情, c being
// their reporter row (informant.go).
func (b *Bot) report(tx *models.Tx, c *models.Citizen, platform, text string, informant *models.Member) (decision, error) {
	now := tx.Now()
	cut := ""
	if r := []rune(text); len(r) > b.Settings.MaxLength {
		text = string(r[:b.Settings.MaxLength])
		cut = fmt.Sprintf("\n（内容超过%d字，已截取前%d字；其余内容可用“补充 编号 内容”补充。）", b.Settings.MaxLength, b.Settings.MaxLength)
	}
	prev, err := tx.SameTextSince(c, text, now.Add(-b.Settings.DuplicateWindow))
	switch {
	case err == nil:
		if err := tx.LinkRepeat(prev, c, platform, text); err != nil {
			return decision{}, err
		}
		return decision{Reply: Reply{
			Text:    fmt.Sprintf("您反映的问题已在编号 %s 中受理，本次按重复反映并入办理，我们会加强跟进。\n查询进度请发送：查询 %s", prev.No, prev.No),
			Outcome: OutcomeRepeat, CaseNo: prev.No,
		}, caseID: prev.ID}, nil
	case !errors.Is(err, models.ErrNotFound):
		return decision{}, err
	}
	n, err := tx.CasesOpenedSince(c, now.Add(-time.Hour))
	if err != nil {
		return decision{}, err
	}
	if n >= int64(b.Settings.MaxCasesPerHour) {
		return decision{Reply: Reply{
			Text:    fmt.Sprintf("您在一小时内已反映%d件问题，请稍后再提交新的问题。本条内容已记录在案。如情况紧急，请拨打12345政务服务便民热线。", n),
			Outcome: OutcomeRateLimited,
		}}, nil
	}
	// Worked out before OpenCase: from the number on, the day's sequence
	// row is held until commit and every intake of the day waits for it.
	audience, err := b.newCaseAudience(tx, text)
	if err != nil {
		return decision{}, err
	}
	expect := b.expectation(now)
	k, err := tx.OpenCase(c, models.NewCase{
		Content: text, Kind: b.Settings.DefaultKind, AckWithin: b.Settings.Acknowledge, Platform: platform,
		Informant: informant,
	})
	if err != nil {
		return decision{}, err
	}
	if err := b.notifyNewCase(tx, k, c, audience); err != nil {
		return decision{}, err
	}
	// serious.keywords: a case that names one is reported up at once (serious.go).
	if err := b.gradeAtIntake(tx, k); err != nil {
		return decision{}, err
	}
	return decision{Reply: Reply{Text: acknowledgement(k.No, expect) + cut, Outcome: OutcomeCase, CaseNo: k.No}, caseID: k.ID}, nil
}

// Acknowledgement is the regulation's own sentence (DOMAIN.md).
const Acknowledgement = "您反映的问题已由我单位受理，将尽快给您回复。"

// acknowledgement answers a new case numbered no; expect is b.expectation.
func acknowledgement(no, expect string) string {
	return Acknowledgement + "\n编号：" + no + "\n" + expect + "\n查询进度请发送：查询 " + no
}

// expectation tells the citizen when to expect an answer: the deadline of
// a case of the default kind received at now, the same the unit will be
// held to when it is assigned (bot/due.go).
func (b *Bot) expectation(now time.Time) string {
	s := b.Settings
	d := b.dueFrom(now, s.DefaultKind)
	if s.DefaultKind == "即办" {
		return fmt.Sprintf("我们将在%s前给您答复。", d.Label())
	}
	return fmt.Sprintf("一般问题在%d个工作日内答复，预计%s前答复您（需多个部门办理的可能稍长）。", b.workdaysOf(s.DefaultKind), d.DateLabel())
}

func (b *Bot) query(tx *models.Tx, c *models.Citizen, no string) (decision, error) {
	k, err := tx.CitizenCase(c, no)
	if errors.Is(err, models.ErrNotFound) {
		return decision{Reply: Reply{Text: notYours(no), Outcome: OutcomeQuery}}, nil
	}
	if err != nil {
		return decision{}, err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "编号：%s\n反映时间：%s\n状态：%s", k.No, dateTime(k.ReceivedAt.In(b.Location())), k.Status.Label())
	if name := tx.DepartmentName(k.LeadDeptID); name != "" {
		fmt.Fprintf(&sb, "\n承办单位：%s", name)
	}
	if k.DueAt != nil && k.Status.Open() {
		fmt.Fprintf(&sb, "\n办理时限：%s", dateTime(k.DueAt.In(b.Location())))
	}
	if k.Status.Open() {
		if err := b.latestProgress(tx, k, &sb); err != nil {
			return decision{}, err
		}
	}
	if k.DuplicateOfID != nil {
		sb.WriteString("\n此问题已与您先前反映的问题合并办理。")
	}
	if k.Answer != "" && (k.Status == models.StatusAnswered || k.Status == models.StatusClosed) {
		fmt.Fprintf(&sb, "\n答复：%s", k.Answer)
		if k.Status == models.StatusAnswered && k.Rating != "" && k.RatedAt != nil && k.AnsweredAt != nil && !k.RatedAt.Before(*k.AnsweredAt) {
			fmt.Fprintf(&sb, "\n评价：%s", k.Rating)
		} else if k.Status == models.StatusAnswered {
			fmt.Fprintf(&sb, "\n评价请发送：评价 %s 1（满意）、2（基本满意）或 3（不满意）", k.No)
		} else if k.Rating != "" {
			fmt.Fprintf(&sb, "\n评价：%s", k.Rating)
		}
	} else if k.Status.Open() {
		sb.WriteString("\n如需补充情况，请发送：补充 " + k.No + " 内容")
	}
	return decision{Reply: Reply{Text: sb.String(), Outcome: OutcomeQuery, CaseNo: k.No}, caseID: k.ID}, nil
}

// leadProgress is how the lead unit's 进展 begins on the case record.
const leadProgress = "牵头："

// latestProgress adds to a 查询 reply the lead unit's newest 进展, which is
// written for the citizen to read (a co-unit's 进展 is its opinion to the
// lead unit and stays inside), masked.
func (b *Bot) latestProgress(tx *models.Tx, k *models.Case, sb *strings.Builder) error {
	e, err := tx.LatestProgress(k, leadProgress)
	if err != nil || e == nil {
		return err
	}
	fmt.Fprintf(sb, "\n最新进展（%s）：%s", dateTime(e.CreatedAt.In(b.Location())), redact.Mask(strings.TrimPrefix(e.Body, leadProgress)))
	return nil
}

func (b *Bot) supplement(tx *models.Tx, c *models.Citizen, platform, no, text string) (decision, error) {
	k, err := tx.CitizenCase(c, no)
	if errors.Is(err, models.ErrNotFound) {
		return decision{Reply: Reply{Text: notYours(no), Outcome: OutcomeSupplement}}, nil
	}
	if err != nil {
		return decision{}, err
	}
	if !k.Status.Open() {
		return decision{Reply: Reply{
			Text:    fmt.Sprintf("编号 %s 已%s，不能再补充。如有新的问题，请直接发送文字描述。", k.No, k.Status.Label()),
			Outcome: OutcomeSupplement, CaseNo: k.No,
		}, caseID: k.ID}, nil
	}
	if r := []rune(text); len(r) > b.Settings.MaxLength {
		text = string(r[:b.Settings.MaxLength])
	}
	if err := tx.AddSupplement(k, c, platform, text); err != nil {
		return decision{}, err
	}
	return decision{Reply: Reply{Text: fmt.Sprintf("已将补充内容记入编号 %s，承办单位会一并看到。", k.No), Outcome: OutcomeSupplement, CaseNo: k.No}, caseID: k.ID}, nil
}

// mineLimit is how many cases 我的 lists.
const mineLimit = 10

func (b *Bot) mine(tx *models.Tx, c *models.Citizen) (decision, error) {
	list, err := tx.CitizenCases(c, mineLimit)
	if err != nil {
		return decision{}, err
	}
	if len(list) == 0 {
		return decision{Reply: Reply{Text: "您还没有反映过问题。直接发送文字描述即可反映问题。", Outcome: OutcomeQuery}}, nil
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "您反映的问题（最近%d件，新的在前）：", len(list))
	for i, k := range list {
		fmt.Fprintf(&sb, "\n%d. %s %s %s", i+1, k.No, k.Status.Label(), summary(k.Content, 16))
	}
	sb.WriteString("\n查看详情请发送：查询 编号")
	return decision{Reply: Reply{Text: sb.String(), Outcome: OutcomeQuery}}, nil
}

// citizenAttachment attaches an image, voice or location to the citizen's
// newest open case, or opens a case for it.
func (b *Bot) citizenAttachment(tx *models.Tx, c *models.Citizen, m CitizenMessage) (decision, error) {
	a := models.Attachment{
		Kind: m.MsgType, MediaID: m.MediaID, URL: m.PicURL, Format: m.Format, Recognition: m.Recognition,
		Latitude: m.Latitude, Longitude: m.Longitude, Scale: m.Scale, Label: m.Label,
	}
	k, err := tx.NewestOpenCase(c)
	switch {
	case err == nil:
		if err := tx.AddAttachment(k, c, m.Platform, a); err != nil {
			return decision{}, err
		}
		return decision{Reply: Reply{
			Text:    fmt.Sprintf("已将您发送的%s附在编号 %s 中。", kindLabel(m.MsgType), k.No),
			Outcome: OutcomeAttachment, CaseNo: k.No,
		}, caseID: k.ID}, nil
	case !errors.Is(err, models.ErrNotFound):
		return decision{}, err
	}
	text := fmt.Sprintf("（群众发送了%s，未附文字说明）", kindLabel(m.MsgType))
	switch {
	case m.MsgType == "voice" && strings.TrimSpace(m.Recognition) != "":
		text = "（语音转文字）" + strings.TrimSpace(m.Recognition)
	case m.MsgType == "location":
		text = fmt.Sprintf("（群众发送了位置：%s）", m.Label)
	}
	d, err := b.report(tx, c, m.Platform, text, nil)
	if err != nil || d.Outcome != OutcomeCase {
		return d, err
	}
	// The case just opened: its id and number are all the attachment needs.
	k = &models.Case{ID: d.caseID, No: d.CaseNo}
	if err := tx.AddAttachment(k, c, m.Platform, a); err != nil {
		return decision{}, err
	}
	d.Text += "\n请再用文字补充问题的具体情况：补充 " + k.No + " 内容"
	return d, nil
}

func kindLabel(msgType string) string {
	switch msgType {
	case "image":
		return "图片"
	case "voice":
		return "语音"
	case "location":
		return "位置"
	}
	return "附件"
}

func notYours(no string) string {
	return fmt.Sprintf("没有找到您反映的编号为 %s 的问题，请核对编号。只能查询本人反映的问题；发送“我的”可查看您的全部问题。", no)
}

// usage is the hint for a command word without what it needs: the verb's
// own (verb table), or the common one.
func usage(c CitizenCommand) string {
	if c.BadNo != "" {
		return fmt.Sprintf("“%s”不是有效的编号。编号是受理日期加序号，例如 20261121007。发送“我的”可查看您的全部编号。", c.BadNo)
	}
	if v := verbs().citizenWord(c.Word); v != nil && v.usage != "" {
		return v.usage
	}
	return fmt.Sprintf("请发送：%s 编号\n例如：%s 20261121007\n发送“我的”可查看您的全部编号。", c.Word, c.Word)
}

// summary shortens text to n runes for lists.
func summary(text string, n int) string {
	r := []rune(strings.Join(strings.Fields(text), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}

func date(t time.Time) string { return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day()) }

func dateTime(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日 %02d:%02d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute())
}
