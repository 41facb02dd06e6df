package bot

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"minsheng/models"
)

// Message kinds of Outgoing.
const (
	KindText     = "text"
	KindMarkdown = "markdown"
	KindCard     = "card"
	// KindUpdate replaces the buttons of a card already sent (TaskID) with Text.
	KindUpdate = "update"
	// KindTable is markdown that may hold tables and lists (WeCom groups get
	// it as markdown_v2; where that is refused, as markdown with each table
	// row on a line of its own).
	KindTable = "table"
	// KindImage is a picture (Image, PNG or JPEG); group robots only.
	KindImage = "image"
	// KindFile is a document (File) sent as a file message; app messages only.
	KindFile = "file"
)

// Outgoing is a platform-neutral message; each adapter renders it in its
// platform's shape (WeCom template card, DingTalk ActionCard, …). It is what
// the outbox stores as the payload.
type Outgoing struct {
	Kind  string `json:"kind"`
	Title string `json:"title,omitempty"`
	// Text is the body: plain for text, markdown for markdown and cards.
	Text    string   `json:"text"`
	Fields  []Field  `json:"fields,omitempty"`
	Buttons []Button `json:"buttons,omitempty"`
	// TaskID identifies a card so it can be updated after a click.
	TaskID string `json:"task_id,omitempty"`
	CaseNo string `json:"case_no,omitempty"`
	// URL opens the case page from the card.
	URL string `json:"url,omitempty"`
	// Image is the picture of a KindImage message.
	Image []byte `json:"image,omitempty"`
	// File is the document of a KindFile message.
	File *File `json:"file,omitempty"`
}

// File is a document to send: its name as the reader sees it and its bytes.
type File struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// Field is one "key: value" line of a card.
type Field struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Button is one button of a card; Key comes back with the click.
type Button struct {
	Key  string `json:"key"`
	Text string `json:"text"`
	// Style 1 is the primary colour, 2 the secondary.
	Style int `json:"style,omitempty"`
}

// DecodeOutgoing reads an outbox payload.
func DecodeOutgoing(payload string) (Outgoing, error) {
	var o Outgoing
	if err := json.Unmarshal([]byte(payload), &o); err != nil {
		return o, fmt.Errorf("decode outbox payload: %w", err)
	}
	return o, nil
}

// Targets of outbox rows; none carries personal data.
func memberTarget(m *models.Member) models.Target    { return models.MemberTarget(m.ID) }
func groupTarget(d *models.Department) models.Target { return models.GroupTarget(d.Code) }
func citizenTarget(citizenID uint64) models.Target   { return models.CitizenTarget(citizenID) }

// enqueue writes a message to the outbox in the caller's transaction.
func enqueue(tx *models.Tx, platform models.Platform, target models.Target, caseID uint64, purpose string, o Outgoing) error {
	row, err := outboxRow(platform, target, caseID, purpose, o)
	if err != nil {
		return err
	}
	if err := tx.Enqueue(row); err != nil {
		return fmt.Errorf("queue %s message to %s: %w", purpose, target, err)
	}
	return nil
}

// outboxRow is the outbox row that carries o.
func outboxRow(platform models.Platform, target models.Target, caseID uint64, purpose string, o Outgoing) (*models.Outbox, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encode %s message: %w", purpose, err)
	}
	return &models.Outbox{
		Platform: platform, Target: target.String(), Kind: purpose, Payload: string(b), CaseID: caseID,
		DedupKey: fmt.Sprintf("%s:%d:%s:%s", purpose, caseID, target, randomHex(8)), Ref: o.TaskID,
	}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// toMember queues o for member m on their platform.
func toMember(tx *models.Tx, m *models.Member, caseID uint64, purpose string, o Outgoing) error {
	return enqueue(tx, m.Platform, memberTarget(m), caseID, purpose, forMember(m, purpose, o))
}

// forMember gives a card for member m its own task id.
func forMember(m *models.Member, purpose string, o Outgoing) Outgoing {
	if o.Kind == KindCard && o.TaskID == "" {
		o.TaskID = fmt.Sprintf("%s-%d-%s", purpose, m.ID, randomHex(6))
	}
	return o
}

// toGroup queues o for department d's group.
func toGroup(tx *models.Tx, d *models.Department, caseID uint64, purpose string, o Outgoing) error {
	return enqueue(tx, d.Platform, groupTarget(d), caseID, purpose, o)
}

// toCitizen queues text for the citizen in the Official Account; fields are
// the template message's data if the 48-hour window has closed. For an
// information officer's case it goes to them (toInformant).
func toCitizen(tx *models.Tx, k *models.Case, purpose, text string, fields ...Field) error {
	if k.InformantID != nil {
		return toInformant(tx, k, purpose, text)
	}
	if purpose == PurposeAnswer {
		// Every answer asks for the citizen's rating (rating.go).
		text += "\n\n" + RatePrompt
		fields = append(fields, Field{"评价", RateHint})
	}
	return enqueue(tx, models.PlatformMP, citizenTarget(k.CitizenID), k.ID, purpose, Outgoing{Kind: KindText, Text: text, Fields: fields, CaseNo: k.No})
}

// mdEscape keeps a citizen's text from being read as markdown. The markers
// redact puts in place of personal data ([姓名已隐去]) keep their ASCII
// brackets, as everywhere else (one marker style); a "(" after one is made
// full-width, so that no marker becomes a link.
func mdEscape(s string) string {
	s = mdEscaper.Replace(s)
	if !strings.Contains(s, "已隐去］") {
		return s
	}
	return escapedMarkerRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := escapedMarkerRe.FindStringSubmatch(m)
		out := "[" + sub[1] + "]"
		if sub[2] != "" {
			out += "（"
		}
		return out
	})
}

// escapedMarkerRe is a marker of redact after mdEscaper, and a "(" after it.
var escapedMarkerRe = regexp.MustCompile(`［([^［］\[\]]{1,12}已隐去)］(\(?)`)

var mdEscaper = strings.NewReplacer("*", "＊", "_", "＿", "`", "｀", "#", "＃", "[", "［", "]", "］", "<", "＜", ">", "＞")
