// Package config loads config.yaml: every default of the domain lives in that
// file, secrets may come from the environment, and a bad value stops the server
// at start with a message naming the key.
package config

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// EnvFile names the environment variable that points at another config file.
const EnvFile = "MINSHENG_CONFIG"

// Config is the whole of config.yaml.
type Config struct {
	Server    Server    `yaml:"server"`
	Database  Database  `yaml:"database"`
	Timezone  string    `yaml:"timezone"`
	MP        MP        `yaml:"mp"`
	WeCom     WeCom     `yaml:"wecom"`
	DingTalk  DingTalk  `yaml:"dingtalk"`
	Intake    Intake    `yaml:"intake"`
	Deadlines Deadlines `yaml:"deadlines"`
	Calendar  Calendar  `yaml:"calendar"`
	Org       Org       `yaml:"org"`
	// Review and Serious are the leaders' settings (config/leaders.go).
	Review  Review  `yaml:"review"`
	Serious Serious `yaml:"serious"`
	// Feedback is the written feedback to 县信访局 and 县委办督查室 (config/leaders.go).
	Feedback Feedback `yaml:"feedback"`
	// Jobs are the named background jobs' schedules, by name (config/jobs.go).
	Jobs map[string]Job `yaml:"jobs"`
	// Reports are the weekly summary's and the monthly report's settings (config/reports.go).
	Reports Reports `yaml:"reports"`
	// Assessment are the weights of the 考核 scoring sheet (config/reports.go).
	Assessment Assessment `yaml:"assessment"`
	// Rating is the citizen's rating, 重办 and appeals (config/rating.go).
	Rating Rating `yaml:"rating"`
	// HotTopics are similar cases and hot topics (config/hottopics.go).
	HotTopics HotTopics `yaml:"hot_topics"`
	// Board, Open311 and Admin are the public reply board, the open data
	// and the dispatcher's dashboard (config/board.go).
	Board   Board   `yaml:"board"`
	Open311 Open311 `yaml:"open311"`
	Admin   Admin   `yaml:"admin"`

	// Location is Timezone loaded; set by Load.
	Location *time.Location `yaml:"-"`
}

// Server is the HTTP listener.
type Server struct {
	Addr string `yaml:"addr"`
	// PublicURL is how the outside world reaches this server (cards link to it).
	PublicURL string `yaml:"public_url"`
	// Sandbox forces sandbox mode on ("on"), off ("off"), or lets it follow
	// the credentials ("auto": on when no platform credential and no admin
	// account is set; with any of them set, the configuration is refused).
	Sandbox string `yaml:"sandbox"`
	// ShutdownTimeout bounds how long in-flight requests may take at SIGTERM.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// MaxBodyBytes caps every callback body.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// CallbackWindow is how old a callback timestamp may be before it is refused.
	CallbackWindow Duration `yaml:"callback_window"`
	// LinkSecret signs the case-page links cards carry and the page's
	// sessions (MINSHENG_LINK_SECRET); empty: a random one per start.
	LinkSecret string `yaml:"link_secret"`
	// LinkTTL is how long a card's signed link works.
	LinkTTL Duration `yaml:"link_ttl"`
	// SessionTTL is how long the case page keeps a member signed in.
	SessionTTL Duration `yaml:"session_ttl"`
	// ReadTimeout bounds reading a whole request, body included: a client
	// sending a byte a second is cut off. WriteTimeout bounds the answer
	// (exports included); IdleTimeout a kept-alive connection's wait for
	// its next request.
	ReadTimeout  Duration `yaml:"read_timeout"`
	WriteTimeout Duration `yaml:"write_timeout"`
	IdleTimeout  Duration `yaml:"idle_timeout"`
	// CallbackTimeout is the deadline of one platform callback: past it
	// the citizen or member is told 系统繁忙 (WeChat waits 5 seconds) and the
	// platform's retry finds the message or handles it once.
	CallbackTimeout Duration `yaml:"callback_timeout"`
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges)
	// whose X-Forwarded-For / X-Real-IP name the client: behind nginx the
	// dashboard's sign-in limits count per client, not per proxy. Empty:
	// no header is believed and the client is the connection's address.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// Database selects the store.
type Database struct {
	Driver string `yaml:"driver"` // sqlite | mysql | postgres
	DSN    string `yaml:"dsn"`
	// MaxOpenConns caps the connections of one instance (0: the driver's
	// default, models.DefaultPool, chosen by minsheng bench); MaxIdleConns
	// is how many of them stay open when idle (0: as many as MaxOpenConns).
	MaxOpenConns int `yaml:"max_open_conns"`
	MaxIdleConns int `yaml:"max_idle_conns"`
}

// MP is the WeChat Official Account (公众号).
type MP struct {
	AppID          string `yaml:"app_id"`
	AppSecret      string `yaml:"app_secret"`
	Token          string `yaml:"token"`
	EncodingAESKey string `yaml:"encoding_aes_key"`
	APIBase        string `yaml:"api_base"`
	// TemplateID was the one template message used outside the 48-hour
	// window; it is refused now, in favour of Templates.
	TemplateID string `yaml:"template_id"`
	// Templates are the template messages used outside the 48-hour window,
	// by purpose (citizen_answer, citizen_assigned, …, or "default" for any
	// other): mp.templates.<purpose>: {id, fields: {case_no: keyword1, …}}.
	Templates map[string]MPTemplate `yaml:"templates"`
	// AllowPlaintext accepts plaintext (明文模式) callbacks although
	// EncodingAESKey is set. WeChat does not sign a plaintext body, so
	// with a key set they are refused unless this is on, for the minutes
	// of switching the console from 明文模式 to 安全模式.
	AllowPlaintext bool `yaml:"allow_plaintext"`
}

// MPTemplate is one template message of the Official Account: its
// template_id and which of its keys shows what. Since 2023-05-04 WeChat
// shows neither first nor remark and 20 characters of each keyword.
type MPTemplate struct {
	ID string `yaml:"id"`
	// Fields maps what to show (case_no, summary, time, or a field of the
	// message: 结果, 时限, 承办单位, 评价, …) to the template's key
	// (keyword1, thing2, …). case_no must be among them.
	Fields map[string]string `yaml:"fields"`
}

// WeCom is the WeCom (企业微信) self-built app.
type WeCom struct {
	CorpID         string `yaml:"corp_id"`
	AgentID        string `yaml:"agent_id"`
	Secret         string `yaml:"secret"`
	Token          string `yaml:"token"`
	EncodingAESKey string `yaml:"encoding_aes_key"`
	APIBase        string `yaml:"api_base"`
	// OAuthURL is WeCom's OAuth page, where the case page sends a member
	// who comes without a valid link (政务微信 deployments have their own).
	OAuthURL string `yaml:"oauth_url"`
}

// DingTalk is the DingTalk (钉钉) enterprise app and its robot. 浙政钉 and
// 专有钉钉 deployments set their own api_base and oapi_base.
type DingTalk struct {
	AppKey    string `yaml:"app_key"`
	AppSecret string `yaml:"app_secret"`
	// RobotCode is the robot's code; empty means app_key, as DingTalk does.
	RobotCode string `yaml:"robot_code"`
	APIBase   string `yaml:"api_base"`  // the new API, https://api.dingtalk.com
	OAPIBase  string `yaml:"oapi_base"` // the old API, https://oapi.dingtalk.com
	// Mode is how the robot's messages arrive: "http" (DingTalk calls
	// /callback/dingtalk) or "stream" (this server connects to DingTalk).
	Mode string `yaml:"mode"`
	// CallbackSkew is how far a callback's timestamp may be from now.
	CallbackSkew Duration `yaml:"callback_skew"`
	// ReplyTimeout bounds the answer through a message's session webhook.
	ReplyTimeout Duration `yaml:"reply_timeout"`
	// StreamRetry is the wait between attempts to reach the Stream gateway.
	StreamRetry Duration `yaml:"stream_retry"`
}

// Configured reports whether a DingTalk app is set up.
func (d DingTalk) Configured() bool { return d.AppKey != "" }

// Intake holds the limits on what citizens may send.
type Intake struct {
	// MaxCasesPerHour is how many cases one citizen may open in an hour.
	MaxCasesPerHour int `yaml:"max_cases_per_hour"`
	// DuplicateWindow links the same text from the same citizen as 重复反映.
	DuplicateWindow Duration `yaml:"duplicate_window"`
	// MinLength is the shortest text taken as a report; shorter gets help.
	MinLength int `yaml:"min_length"`
	// MaxLength caps a report's text (longer is cut, and the citizen told).
	MaxLength int `yaml:"max_length"`
}

// Deadlines are the clocks of DOMAIN.md.
type Deadlines struct {
	Acknowledge        Duration `yaml:"acknowledge"`         // 24h, calendar hours
	Simple             Duration `yaml:"simple"`              // 即办 12h
	GeneralWorkdays    int      `yaml:"general_workdays"`    // 7
	ComplexWorkdays    int      `yaml:"complex_workdays"`    // 15
	ExtensionWorkdays  int      `yaml:"extension_workdays"`  // total per case, 5
	ReportUpMajor      Duration `yaml:"report_up_major"`     // 重大 2h
	ReportUpCritical   Duration `yaml:"report_up_critical"`  // 特别重大 1h
	ReportUpLarge      Duration `yaml:"report_up_large"`     // 较大: 0 no clock (酌情适时上报)
	OfficeHours        string   `yaml:"office_hours"`        // 09:00-17:30
	DefaultKind        string   `yaml:"default_kind"`        // 一般
	ReplyRateTarget    float64  `yaml:"reply_rate_target"`   // 0.9
	SatisfactionTarget float64  `yaml:"satisfaction_target"` // 0.9
	// Ladder is the reminder and 督办 ladder of every deadline (config/jobs.go).
	Ladder []LadderStep `yaml:"ladder"`
	// AcceptWithin is the time a unit has for 签收 before it is chased;
	// AcceptReturnAfter the time after the chase before it goes back to the dispatcher.
	AcceptWithin      Span `yaml:"accept_within"`
	AcceptReturnAfter Span `yaml:"accept_return_after"`
}

// Calendar extends the embedded holiday data with later notices.
type Calendar struct {
	Years []CalendarYear `yaml:"years"`
	// WarnFrom (MM-DD) is the day from which a missing notice for next year
	// is reported to the dispatcher every day.
	WarnFrom string `yaml:"warn_from"`
}

// CalendarYear is one year of the State Council's holiday notice.
type CalendarYear struct {
	Year     int      `yaml:"year"`
	Notice   string   `yaml:"notice"`
	Holidays []string `yaml:"holidays"`
	Workdays []string `yaml:"workdays"`
}

// Org is the organisation: departments, the joint meeting and members.
type Org struct {
	Departments  []Department `yaml:"departments"`
	JointMeeting Group        `yaml:"joint_meeting"`
	Members      []Member     `yaml:"members"`
}

// Department is one handling unit.
type Department struct {
	Name     string   `yaml:"name"`
	Code     string   `yaml:"code"`
	Keywords []string `yaml:"keywords"`
	// Aliases are the everyday short names a dispatcher types for the unit
	// (城管, 住建 …), besides its name and code.
	Aliases  []string `yaml:"aliases"`
	Platform string   `yaml:"platform"` // wecom | dingtalk
	// The department's group: a WeCom group robot and/or a DingTalk webhook.
	WeComRobotKey   string `yaml:"wecom_robot_key"`
	DingTalkWebhook string `yaml:"dingtalk_webhook"`
	DingTalkSecret  string `yaml:"dingtalk_secret"`
	// Review is the unit's own approval chain; empty: review.default.
	Review []string `yaml:"review"`
}

// Group is where a group robot posts.
type Group struct {
	Name            string `yaml:"name"`
	WeComRobotKey   string `yaml:"wecom_robot_key"`
	DingTalkWebhook string `yaml:"dingtalk_webhook"`
	DingTalkSecret  string `yaml:"dingtalk_secret"`
}

// Member is a person who works in the system.
type Member struct {
	Name       string `yaml:"name"`
	UserID     string `yaml:"user_id"`
	Platform   string `yaml:"platform"`
	Department string `yaml:"department"` // code; empty for dispatchers and leaders
	Role       string `yaml:"role"`       // officer | head | dispatcher | leader | informant
	// Scope lists a leader's departments (codes); empty: every unit.
	Scope []string `yaml:"scope"`
	// Unit is where an informant (舆情信息员) reports for, as the weekly
	// summary names it: a village, community or enforcement brigade
	// (潇楚街道洋湖社区). Required for informants, for them only.
	Unit string `yaml:"unit"`
}

// Duration is a time.Duration written as "24h" in YAML.
type Duration time.Duration

// UnmarshalYAML reads "90s", "24h" and the like.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration like 24h or 30m", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration back as text.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Defaults returns the configuration a newcomer runs with: embedded SQLite,
// sandbox mode and the regulations' numbers.
func Defaults() Config {
	return Config{
		Server: Server{
			Addr: "127.0.0.1:8080", Sandbox: "auto",
			ShutdownTimeout: Duration(10 * time.Second),
			MaxBodyBytes:    1 << 20,
			CallbackWindow:  Duration(5 * time.Minute),
			LinkTTL:         Duration(72 * time.Hour), SessionTTL: Duration(12 * time.Hour),
			ReadTimeout: Duration(10 * time.Second), WriteTimeout: Duration(60 * time.Second),
			IdleTimeout: Duration(60 * time.Second), CallbackTimeout: Duration(4 * time.Second),
		},
		Database: Database{Driver: "sqlite", DSN: "data/minsheng.db"},
		Timezone: "Asia/Shanghai",
		MP:       MP{APIBase: "https://api.weixin.qq.com"},
		WeCom:    WeCom{APIBase: "https://qyapi.weixin.qq.com", OAuthURL: "https://open.weixin.qq.com/connect/oauth2/authorize"},
		DingTalk: DingTalk{
			APIBase: "https://api.dingtalk.com", OAPIBase: "https://oapi.dingtalk.com", Mode: "http",
			CallbackSkew: Duration(time.Hour), ReplyTimeout: Duration(3 * time.Second), StreamRetry: Duration(10 * time.Second),
		},
		Intake: Intake{
			MaxCasesPerHour: 5, DuplicateWindow: Duration(24 * time.Hour),
			MinLength: 5, MaxLength: 2000,
		},
		Review:  Review{Default: []string{"head"}, MinAnswerLength: 15, MinConcreteLength: 8},
		Serious: Serious{ChaseEvery: Duration(15 * time.Minute)},
		Deadlines: Deadlines{
			Acknowledge: Duration(24 * time.Hour), Simple: Duration(12 * time.Hour),
			GeneralWorkdays: 7, ComplexWorkdays: 15, ExtensionWorkdays: 5,
			ReportUpMajor: Duration(2 * time.Hour), ReportUpCritical: Duration(time.Hour),
			OfficeHours: "09:00-17:30", DefaultKind: "一般",
			ReplyRateTarget: 0.9, SatisfactionTarget: 0.9,
			Ladder: defaultLadder(), AcceptWithin: Span{Workdays: 1}, AcceptReturnAfter: Span{Workdays: 1},
		},
		Calendar: Calendar{WarnFrom: "11-01"},
		Jobs:     defaultJobs(),
		Reports:  defaultReports(), Assessment: defaultAssessment(),
		Rating: defaultRating(), HotTopics: defaultHotTopics(),
		Board: defaultBoard(), Open311: defaultOpen311(), Admin: defaultAdmin(),
	}
}

// Load reads the file named by MINSHENG_CONFIG, else path, over the defaults,
// then applies secrets from the environment and validates.
func Load(path string) (*Config, error) {
	if p := os.Getenv(EnvFile); p != "" {
		path = p
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse reads YAML over the defaults, applies the environment and validates.
func Parse(b []byte) (*Config, error) {
	c := Defaults()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, explainYAML(b, err)
	}
	c.applyEnv(os.LookupEnv)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// envKeys maps environment variables to the settings they override.
func (c *Config) envKeys() map[string]*string {
	return map[string]*string{
		"MINSHENG_DATABASE_DSN":           &c.Database.DSN,
		"MINSHENG_DATABASE_DRIVER":        &c.Database.Driver,
		"MINSHENG_SERVER_ADDR":            &c.Server.Addr,
		"MINSHENG_MP_APP_ID":              &c.MP.AppID,
		"MINSHENG_MP_APP_SECRET":          &c.MP.AppSecret,
		"MINSHENG_MP_TOKEN":               &c.MP.Token,
		"MINSHENG_MP_ENCODING_AES_KEY":    &c.MP.EncodingAESKey,
		"MINSHENG_MP_API_BASE":            &c.MP.APIBase,
		"MINSHENG_WECOM_CORP_ID":          &c.WeCom.CorpID,
		"MINSHENG_WECOM_SECRET":           &c.WeCom.Secret,
		"MINSHENG_WECOM_TOKEN":            &c.WeCom.Token,
		"MINSHENG_WECOM_ENCODING_AES_KEY": &c.WeCom.EncodingAESKey,
		"MINSHENG_WECOM_API_BASE":         &c.WeCom.APIBase,
		"MINSHENG_LINK_SECRET":            &c.Server.LinkSecret,
		"MINSHENG_DINGTALK_APP_KEY":       &c.DingTalk.AppKey,
		"MINSHENG_DINGTALK_APP_SECRET":    &c.DingTalk.AppSecret,
		"MINSHENG_DINGTALK_ROBOT_CODE":    &c.DingTalk.RobotCode,
		"MINSHENG_DINGTALK_API_BASE":      &c.DingTalk.APIBase,
		"MINSHENG_DINGTALK_OAPI_BASE":     &c.DingTalk.OAPIBase,
		"MINSHENG_DINGTALK_MODE":          &c.DingTalk.Mode,
		"MINSHENG_ADMIN_SECRET":           &c.Admin.SessionSecret,
	}
}

func (c *Config) applyEnv(lookup func(string) (string, bool)) {
	for k, p := range c.envKeys() {
		if v, ok := lookup(k); ok && v != "" {
			*p = v
		}
	}
}

var codeRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// SandboxOn reports whether the server runs its in-process platform fakes:
// when server.sandbox is on, or auto with no platform credential and no
// admin account set (Credentials). Validate refuses auto with any of them.
func (c *Config) SandboxOn() bool {
	switch c.Server.Sandbox {
	case "on":
		return true
	case "off":
		return false
	}
	return len(c.Credentials()) == 0
}

// Credentials names the real credentials set: any platform's app id,
// secret, token or key, and dashboard accounts. With one of them set the
// sandbox, which signs in without a password and runs any command as any
// member, must not switch itself on.
func (c *Config) Credentials() []string {
	var keys []string
	for _, kv := range []struct{ key, v string }{
		{"mp.app_id", c.MP.AppID}, {"mp.app_secret", c.MP.AppSecret}, {"mp.token", c.MP.Token},
		{"mp.encoding_aes_key", c.MP.EncodingAESKey},
		{"wecom.corp_id", c.WeCom.CorpID}, {"wecom.secret", c.WeCom.Secret}, {"wecom.token", c.WeCom.Token},
		{"wecom.encoding_aes_key", c.WeCom.EncodingAESKey},
		{"dingtalk.app_key", c.DingTalk.AppKey}, {"dingtalk.app_secret", c.DingTalk.AppSecret},
	} {
		if kv.v != "" {
			keys = append(keys, kv.key)
		}
	}
	if len(c.Admin.Users) > 0 {
		keys = append(keys, "admin.users")
	}
	return keys
}

// Validate checks every key and names the first bad one.
func (c *Config) Validate() error {
	bad := func(key, why string) error { return fmt.Errorf("%s: %s", key, why) }
	if c.Server.Addr == "" {
		return bad("server.addr", "must be set, e.g. 127.0.0.1:8080")
	}
	switch c.Server.Sandbox {
	case "auto", "on", "off":
	default:
		return bad("server.sandbox", "must be auto, on or off")
	}
	if c.Server.MaxBodyBytes <= 0 {
		return bad("server.max_body_bytes", "must be positive")
	}
	for key, v := range map[string]time.Duration{
		"server.read_timeout": c.Server.ReadTimeout.D(), "server.write_timeout": c.Server.WriteTimeout.D(),
		"server.idle_timeout": c.Server.IdleTimeout.D(), "server.callback_timeout": c.Server.CallbackTimeout.D(),
	} {
		if v <= 0 {
			return bad(key, "must be a positive duration")
		}
	}
	if c.Server.CallbackTimeout.D() >= 5*time.Second {
		return bad("server.callback_timeout", "must be under 5s: WeChat gives up on a callback after 5 seconds")
	}
	for i, p := range c.Server.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(p); err != nil {
			return bad(fmt.Sprintf("server.trusted_proxies[%d]", i), fmt.Sprintf("%q: must be an IP address or a CIDR range such as 10.0.0.0/8", p))
		}
	}
	switch c.Database.Driver {
	case "sqlite", "mysql", "postgres":
	default:
		return bad("database.driver", fmt.Sprintf("%q: must be sqlite, mysql or postgres", c.Database.Driver))
	}
	if c.Database.DSN == "" {
		return bad("database.dsn", "must be set")
	}
	if err := c.Database.validatePool(); err != nil {
		return err
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return bad("timezone", fmt.Sprintf("%q is not a time zone", c.Timezone))
	}
	c.Location = loc
	if c.Server.Sandbox == "off" { // auto with credentials is refused below
		for key, v := range map[string]string{
			"mp.app_id": c.MP.AppID, "mp.token": c.MP.Token, "mp.api_base": c.MP.APIBase,
		} {
			if v == "" {
				return bad(key, "must be set when the sandbox is off")
			}
		}
	}
	if err := c.validateTemplates(); err != nil {
		return err
	}
	if k := c.MP.EncodingAESKey; k != "" {
		if err := aesKeyOK(k); err != nil {
			return bad("mp.encoding_aes_key", err.Error())
		}
	}
	if a := c.WeCom.AgentID; a != "" {
		if _, err := strconv.ParseInt(a, 10, 64); err != nil {
			return bad("wecom.agent_id", fmt.Sprintf("%q is not a number", a))
		}
	}
	if k := c.WeCom.EncodingAESKey; k != "" {
		if err := aesKeyOK(k); err != nil {
			return bad("wecom.encoding_aes_key", err.Error())
		}
	}
	if err := c.validateDingTalk(); err != nil {
		return err
	}
	if err := c.validateLeaders(); err != nil {
		return err
	}
	if err := c.validateJobs(); err != nil {
		return err
	}
	if err := c.validateReports(); err != nil {
		return err
	}
	if err := c.validateRating(); err != nil {
		return err
	}
	if err := c.validateHotTopics(); err != nil {
		return err
	}
	if err := c.validateBoard(); err != nil {
		return err
	}
	if c.Intake.MaxCasesPerHour < 1 {
		return bad("intake.max_cases_per_hour", "must be at least 1")
	}
	if c.Intake.MinLength < 1 || c.Intake.MaxLength < c.Intake.MinLength {
		return bad("intake.min_length", "must be at least 1 and not above intake.max_length")
	}
	d := c.Deadlines
	for key, v := range map[string]time.Duration{
		"deadlines.acknowledge": d.Acknowledge.D(), "deadlines.simple": d.Simple.D(),
		"deadlines.report_up_major": d.ReportUpMajor.D(), "deadlines.report_up_critical": d.ReportUpCritical.D(),
	} {
		if v <= 0 {
			return bad(key, "must be a positive duration")
		}
	}
	if d.ReportUpLarge.D() < 0 {
		return bad("deadlines.report_up_large", "must be 0 (no clock) or a positive duration")
	}
	for key, v := range map[string]int{
		"deadlines.general_workdays": d.GeneralWorkdays, "deadlines.complex_workdays": d.ComplexWorkdays,
		"deadlines.extension_workdays": d.ExtensionWorkdays,
	} {
		if v < 1 {
			return bad(key, "must be at least 1 working day")
		}
	}
	switch d.DefaultKind {
	case "即办", "一般", "复杂":
	default:
		return bad("deadlines.default_kind", "must be 即办, 一般 or 复杂")
	}
	codes := map[string]bool{}
	names := map[string]string{} // every name a unit answers to → its code
	for _, dep := range c.Org.Departments {
		names[dep.Name], names[dep.Code] = dep.Code, dep.Code
	}
	for i, dep := range c.Org.Departments {
		key := fmt.Sprintf("org.departments[%d]", i)
		if dep.Name == "" {
			return bad(key+".name", "must be set")
		}
		if !codeRe.MatchString(dep.Code) {
			return bad(key+".code", fmt.Sprintf("%q: letters, digits, - or _, up to 32", dep.Code))
		}
		if codes[dep.Code] {
			return bad(key+".code", fmt.Sprintf("%q is used twice", dep.Code))
		}
		codes[dep.Code] = true
		for j, a := range dep.Aliases {
			if a = strings.TrimSpace(a); a == "" || strings.ContainsAny(a, " ,，、") {
				return bad(fmt.Sprintf("%s.aliases[%d]", key, j), fmt.Sprintf("%q: a short name without spaces or commas", dep.Aliases[j]))
			}
			if other, ok := names[a]; ok && other != dep.Code {
				return bad(fmt.Sprintf("%s.aliases[%d]", key, j), fmt.Sprintf("%q already names the unit %s", a, other))
			}
			names[a] = dep.Code
		}
		switch dep.Platform {
		case "", "wecom", "dingtalk":
		default:
			return bad(key+".platform", "must be wecom or dingtalk")
		}
	}
	seen := map[string]bool{}
	for i, m := range c.Org.Members {
		key := fmt.Sprintf("org.members[%d]", i)
		if m.Name == "" || m.UserID == "" {
			return bad(key, "name and user_id must be set")
		}
		switch m.Platform {
		case "", "wecom", "dingtalk":
		default:
			return bad(key+".platform", "must be wecom or dingtalk")
		}
		switch m.Role {
		case "officer", "head":
			if !codes[m.Department] {
				return bad(key+".department", fmt.Sprintf("%q is not a department code in org.departments", m.Department))
			}
		case "dispatcher", "leader", "informant":
			if m.Department != "" && !codes[m.Department] {
				return bad(key+".department", fmt.Sprintf("%q is not a department code in org.departments", m.Department))
			}
		default:
			return bad(key+".role", fmt.Sprintf("%q: must be officer, head, dispatcher, leader or informant", m.Role))
		}
		if err := m.checkUnit(key); err != nil {
			return err
		}
		id := m.platform() + ":" + m.UserID
		if seen[id] {
			return bad(key+".user_id", fmt.Sprintf("%q is listed twice", m.UserID))
		}
		seen[id] = true
	}
	// Last, so that a mistyped key is named first.
	if keys := c.Credentials(); c.Server.Sandbox == "auto" && len(keys) > 0 {
		return bad("server.sandbox", fmt.Sprintf("is auto, but real credentials are set (%s): set it to off "+
			"(or on to run the sandbox with them on purpose)", strings.Join(keys, ", ")))
	}
	return nil
}

var templateKeyRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,31}$`)

// validateTemplates checks mp.templates: each has an id, shows the case
// number, and uses keys WeChat still shows.
func (c *Config) validateTemplates() error {
	if c.MP.TemplateID != "" {
		return errors.New("mp.template_id: replaced by mp.templates.<purpose>: {id, fields: {case_no: keyword1, …}} (\"default\" for every purpose)")
	}
	for purpose, t := range c.MP.Templates {
		key := "mp.templates." + purpose
		if t.ID == "" {
			return fmt.Errorf("%s.id: must be set", key)
		}
		if t.Fields["case_no"] == "" {
			return fmt.Errorf("%s.fields.case_no: must name the template key that shows the case number, e.g. keyword1", key)
		}
		used := map[string]string{}
		for what, k := range t.Fields {
			switch {
			case k == "first" || k == "remark":
				return fmt.Errorf("%s.fields.%s: %q is no longer shown by WeChat (since 2023-05-04); use a keyword", key, what, k)
			case !templateKeyRe.MatchString(k):
				return fmt.Errorf("%s.fields.%s: %q is not a template key like keyword1", key, what, k)
			case used[k] != "":
				return fmt.Errorf("%s.fields.%s: %q already shows %s", key, what, k, used[k])
			}
			used[k] = what
		}
	}
	return nil
}

// AgentIDNumber is wecom.agent_id as a number (0 when unset).
func (w WeCom) AgentIDNumber() int64 {
	n, _ := strconv.ParseInt(w.AgentID, 10, 64)
	return n
}

// checkUnit checks an informant's unit, which only informants have; key
// names the member.
func (m Member) checkUnit(key string) error {
	unit := strings.TrimSpace(m.Unit)
	switch {
	case m.Role != "informant" && unit != "":
		return fmt.Errorf("%s.unit: only an informant has a unit (the village, community or brigade they report for); a %s belongs to org.departments through department", key, m.Role)
	case m.Role == "informant" && unit == "":
		return fmt.Errorf("%s.unit: an informant needs the village, community or brigade they report for, e.g. unit: 潇楚街道洋湖社区", key)
	case utf8.RuneCountInString(unit) > 64:
		return fmt.Errorf("%s.unit: at most 64 characters, has %d", key, utf8.RuneCountInString(unit))
	}
	return nil
}

func (m Member) platform() string {
	if m.Platform == "" {
		return "wecom"
	}
	return m.Platform
}

func aesKeyOK(k string) error {
	if len(k) != 43 {
		return fmt.Errorf("must be 43 characters, has %d", len(k))
	}
	if b, err := base64.StdEncoding.DecodeString(k + "="); err != nil || len(b) != 32 {
		return errors.New("is not a valid EncodingAESKey (base64 of 32 bytes without the trailing =)")
	}
	return nil
}

// validateDingTalk checks dingtalk.* and that units and members on DingTalk
// can be reached.
func (c *Config) validateDingTalk() error {
	bad := func(key, why string) error { return fmt.Errorf("%s: %s", key, why) }
	d := c.DingTalk
	switch d.Mode {
	case "http", "stream":
	default:
		return bad("dingtalk.mode", fmt.Sprintf("%q: must be http or stream", d.Mode))
	}
	if d.AppKey != "" && d.AppSecret == "" {
		return bad("dingtalk.app_secret", "must be set when dingtalk.app_key is (or MINSHENG_DINGTALK_APP_SECRET)")
	}
	if d.AppKey == "" && d.AppSecret != "" {
		return bad("dingtalk.app_key", "must be set when dingtalk.app_secret is")
	}
	for key, v := range map[string]string{"dingtalk.api_base": d.APIBase, "dingtalk.oapi_base": d.OAPIBase} {
		if !absoluteHTTP(v) {
			return bad(key, fmt.Sprintf("%q: must be an http(s) URL like https://api.dingtalk.com", v))
		}
	}
	for key, v := range map[string]time.Duration{
		"dingtalk.callback_skew": d.CallbackSkew.D(), "dingtalk.reply_timeout": d.ReplyTimeout.D(),
		"dingtalk.stream_retry": d.StreamRetry.D(),
	} {
		if v <= 0 {
			return bad(key, "must be a positive duration")
		}
	}
	var user string
	for i, dep := range c.Org.Departments {
		key := fmt.Sprintf("org.departments[%d]", i)
		if dep.DingTalkWebhook != "" && !absoluteHTTP(dep.DingTalkWebhook) {
			return bad(key+".dingtalk_webhook", "must be the robot's https://oapi.dingtalk.com/robot/send?access_token=… URL")
		}
		if dep.Platform == "dingtalk" && user == "" {
			user = key
		}
	}
	if w := c.Org.JointMeeting.DingTalkWebhook; w != "" && !absoluteHTTP(w) {
		return bad("org.joint_meeting.dingtalk_webhook", "must be the robot's https://oapi.dingtalk.com/robot/send?access_token=… URL")
	}
	for i, m := range c.Org.Members {
		if m.Platform == "dingtalk" && user == "" {
			user = fmt.Sprintf("org.members[%d]", i)
		}
	}
	if user != "" && !d.Configured() && c.Server.Sandbox == "off" {
		return bad("dingtalk.app_key", "must be set: "+user+" works in DingTalk")
	}
	return nil
}

func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// validatePool checks the pool settings: not negative, no more idle than
// open connections, and one connection for SQLite, which takes one writer.
func (d Database) validatePool() error {
	bad := func(key, why string) error { return fmt.Errorf("%s: %s", key, why) }
	switch {
	case d.MaxOpenConns < 0:
		return bad("database.max_open_conns", "must not be negative (0 takes the driver's default)")
	case d.MaxIdleConns < 0:
		return bad("database.max_idle_conns", "must not be negative (0 keeps max_open_conns idle)")
	case d.MaxOpenConns > 0 && d.MaxIdleConns > d.MaxOpenConns:
		return bad("database.max_idle_conns", fmt.Sprintf("%d is more than max_open_conns (%d)", d.MaxIdleConns, d.MaxOpenConns))
	case d.Driver == "sqlite" && d.MaxOpenConns > 1:
		return bad("database.max_open_conns", "SQLite writes through one connection: leave it at 0 or 1")
	case d.Driver != "sqlite" && d.MaxOpenConns == 1:
		// Start-up holds one connection for its lock while migrating
		// through another.
		return bad("database.max_open_conns", "1 is too few: an instance needs at least 2 (start-up locks one while it migrates)")
	}
	return nil
}
