package config

import (
	"fmt"
	"strings"
)

// Review is review.*: the automatic check of answer drafts and who approves
// them (issue "Leaders decide from their phone").
type Review struct {
	// Default is the approval chain of units without their own
	// (org.departments[].review): head, leader, or both in order.
	Default []string `yaml:"default"`
	// MinAnswerLength is the shortest draft, in characters without spaces.
	MinAnswerLength int `yaml:"min_answer_length"`
	// MinConcreteLength is how much must be left of a draft once its
	// boilerplate phrases and punctuation are taken out.
	MinConcreteLength int `yaml:"min_concrete_length"`
	// SensitiveWords may not appear in an answer.
	SensitiveWords []string `yaml:"sensitive_words"`
	// BoilerplatePhrases are 应付式、程序化 phrases (已收悉, 高度重视 …).
	BoilerplatePhrases []string `yaml:"boilerplate_phrases"`
}

// Serious is serious.*: the report-up of 重大/特别重大 cases to the leaders.
type Serious struct {
	// ChaseEvery is how often an unacknowledged serious case is pushed
	// again to the leaders and the joint meeting, until a leader sends 知悉.
	ChaseEvery Duration `yaml:"chase_every"`
	// CriticalKeywords grade a new case 特别重大 at intake; MajorKeywords 重大.
	CriticalKeywords []string `yaml:"critical_keywords"`
	MajorKeywords    []string `yaml:"major_keywords"`
	// ReportUp are the upper-level recipients of every 重大/特别重大 case
	// (党组, 上级部门, 县xx办): each a group robot and/or members.
	ReportUp []Recipient `yaml:"report_up"`
}

// Feedback is feedback.*: the written feedback of 003 ("将回复和办理情况以书面
// 形式分别向县信访局、县委办督查室反馈，直到办结为止"): each recipient gets,
// once a day (jobs.feedback_digest), one digest of the cases' handling and
// replies since the last, until each case is closed.
type Feedback struct {
	Recipients []Recipient `yaml:"recipients"`
}

// Recipient is one upper-level recipient of serious cases
// (serious.report_up) or of the written feedback (feedback.recipients): a
// WeCom group robot, a DingTalk group robot, and/or members of org.members
// by user_id.
type Recipient struct {
	Name            string   `yaml:"name"`
	WeComRobotKey   string   `yaml:"wecom_robot_key"`
	DingTalkWebhook string   `yaml:"dingtalk_webhook"`
	DingTalkSecret  string   `yaml:"dingtalk_secret"`
	Members         []string `yaml:"members"`
}

// validChain checks an approval chain: head and/or leader, each once.
func validChain(chain []string) error {
	seen := map[string]bool{}
	for _, r := range chain {
		switch r {
		case "head", "leader":
		default:
			return fmt.Errorf("%q: each step must be head or leader", r)
		}
		if seen[r] {
			return fmt.Errorf("%q is listed twice", r)
		}
		seen[r] = true
	}
	return nil
}

// validateLeaders checks review.*, serious.*, the links and sessions of the
// case page, and the org's chains and scopes.
func (c *Config) validateLeaders() error {
	bad := func(key, why string) error { return fmt.Errorf("%s: %s", key, why) }
	if len(c.Review.Default) == 0 {
		return bad("review.default", "must name at least one approver: [head], [leader] or [head, leader]")
	}
	if err := validChain(c.Review.Default); err != nil {
		return bad("review.default", err.Error())
	}
	if c.Review.MinAnswerLength < 1 {
		return bad("review.min_answer_length", "must be at least 1")
	}
	if c.Review.MinConcreteLength < 0 {
		return bad("review.min_concrete_length", "must not be negative")
	}
	for key, list := range map[string][]string{
		"review.sensitive_words": c.Review.SensitiveWords, "review.boilerplate_phrases": c.Review.BoilerplatePhrases,
		"serious.critical_keywords": c.Serious.CriticalKeywords, "serious.major_keywords": c.Serious.MajorKeywords,
	} {
		for i, w := range list {
			if strings.TrimSpace(w) == "" {
				return bad(fmt.Sprintf("%s[%d]", key, i), "must not be empty")
			}
		}
	}
	if c.Serious.ChaseEvery.D() <= 0 {
		return bad("serious.chase_every", "must be a positive duration")
	}
	if err := c.validateRecipients("serious.report_up", c.Serious.ReportUp); err != nil {
		return err
	}
	if err := c.validateRecipients("feedback.recipients", c.Feedback.Recipients); err != nil {
		return err
	}
	if c.Server.LinkTTL.D() <= 0 {
		return bad("server.link_ttl", "must be a positive duration")
	}
	if c.Server.SessionTTL.D() <= 0 {
		return bad("server.session_ttl", "must be a positive duration")
	}
	if s := c.Server.LinkSecret; s != "" && len(s) < 16 {
		return bad("server.link_secret", "must be at least 16 characters (or MINSHENG_LINK_SECRET)")
	}
	codes := map[string]bool{}
	for _, d := range c.Org.Departments {
		codes[d.Code] = true
	}
	for i, d := range c.Org.Departments {
		if err := validChain(d.Review); err != nil {
			return bad(fmt.Sprintf("org.departments[%d].review", i), err.Error())
		}
	}
	for i, m := range c.Org.Members {
		if len(m.Scope) > 0 && m.Role != "leader" {
			return bad(fmt.Sprintf("org.members[%d].scope", i), "only leaders have a scope")
		}
		for _, s := range m.Scope {
			if !codes[s] {
				return bad(fmt.Sprintf("org.members[%d].scope", i), fmt.Sprintf("%q is not a department code in org.departments", s))
			}
		}
	}
	return nil
}

// validateRecipients checks a list of recipients under key: each named
// once and reachable, its members in org.members.
func (c *Config) validateRecipients(key string, list []Recipient) error {
	base := key
	users := map[string]bool{}
	for _, m := range c.Org.Members {
		users[m.UserID] = true
	}
	names := map[string]bool{}
	for i, r := range list {
		key := fmt.Sprintf("%s[%d]", base, i)
		if strings.TrimSpace(r.Name) == "" {
			return fmt.Errorf("%s.name: must be set", key)
		}
		if names[r.Name] {
			return fmt.Errorf("%s.name: %q is listed twice", key, r.Name)
		}
		names[r.Name] = true
		if r.WeComRobotKey == "" && r.DingTalkWebhook == "" && len(r.Members) == 0 {
			return fmt.Errorf("%s: needs a wecom_robot_key, a dingtalk_webhook or members", key)
		}
		for j, u := range r.Members {
			if !users[u] {
				return fmt.Errorf("%s.members[%d]: %q is not in org.members", key, j, u)
			}
		}
	}
	return nil
}
