package handlers

import (
	"context"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"minsheng/models"
	"minsheng/redact"
)

// The public reply board (部门回应): GET /board lists the answered cases,
// newest answer first, with the problem and the answer masked (redact.Mask),
// searchable (q) and filtered by unit (unit), with each unit's reply and
// satisfaction rates over the last months. Cases a dispatcher withheld are
// never listed. Nothing on it says who reported a case.

// PublicConfig is what the public reply board and the open data need
// (board.* and open311.* in config.yaml).
type PublicConfig struct {
	// PageSize is how many cases a page of the board shows.
	PageSize int
	// RateMonths is how many months of cases the units' rates are over.
	RateMonths int
	// SearchScan caps the cases a search reads; QueryMax a search's length.
	SearchScan, QueryMax int
	// StatsCache is how long the units' rates are kept.
	StatsCache time.Duration
	// ReplyTarget and SatisfactionTarget mark rates under target.
	ReplyTarget, SatisfactionTarget float64
	// Open311 is the open data's paging.
	Open311 Open311Config
}

// Open311Config is open311.* in config.yaml.
type Open311Config struct {
	PageSize, MaxPageSize, DefaultDays int
}

var boardPages = template.Must(template.New("board").Funcs(template.FuncMap{"pct": ratePercent, "masked": maskedHTML}).ParseFS(webFS, "web/board/*.html"))

// placeholderRe finds what redact.Mask put in place of personal data.
var placeholderRe = regexp.MustCompile(`\[[^\[\]]{1,12}已隐去\]`)

// maskedHTML is a masked text for the page: escaped, with each placeholder
// ([电话已隐去]) drawn as a grey mark that does not break across lines.
func maskedHTML(s string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range placeholderRe.FindAllStringIndex(s, -1) {
		b.WriteString(template.HTMLEscapeString(s[last:m[0]]))
		b.WriteString(`<span class="mask">`)
		b.WriteString(template.HTMLEscapeString(s[m[0]+1 : m[1]-1]))
		b.WriteString(`</span>`)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return template.HTML(b.String())
}

// publicHandler serves /board and /open311.
type publicHandler struct {
	cfg   PublicConfig
	store *models.Store
	now   func() time.Time

	mu       sync.Mutex
	stats    *models.Stats
	statsAt  time.Time
	statsErr error
}

func (h *publicHandler) loc() *time.Location {
	if h.store.Location != nil {
		return h.store.Location
	}
	return time.UTC
}

// unitRates returns the units' figures over the last RateMonths months,
// computed at most once per StatsCache.
func (h *publicHandler) unitRates(ctx context.Context) (*models.Stats, error) {
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stats != nil && now.Sub(h.statsAt) < h.cfg.StatsCache && !now.Before(h.statsAt) {
		return h.stats, nil
	}
	p := models.Period{From: now.AddDate(0, -h.cfg.RateMonths, 0), To: now}
	st, err := h.store.StatsOf(ctx, p, now, models.StatsRates)
	if err != nil {
		return nil, err
	}
	h.stats, h.statsAt = st, now
	return st, nil
}

// maskCase is the problem and the answer of c as the public may read them.
func maskCase(c models.PublicCase) (problem, answer string) {
	return redact.MaskCase(c.Content, c.Answer, c.ReporterName, c.ReporterPhone)
}

// boardItem is one answered case on the board.
type boardItem struct {
	No, Received, Answered, Unit, UnitCode string
	Problem, Answer, Rating                string
}

// boardUnit is one unit's line of rates.
type boardUnit struct {
	Code, Name             string
	Reply, Satisfaction    models.Rate
	ReplyLow, SatisfiedLow bool
	Assigned, Rated        int64
	// NotDue is the cases not yet due and not answered: in no rate (未到期).
	NotDue int64
}

// boardPage is what board.html draws.
type boardPage struct {
	Q, Unit    string
	Units      []boardUnit
	Items      []boardItem
	Total      int64
	Page, Last int
	Prev, Next string
	Since      string
	RateMonths int
	QueryMax   int
	Searched   bool
	Err        string
}

// maxPage bounds the page numbers readers may ask for.
const maxPage = 100000

// ratePercent shows a rate as the board does: 95.0% or —.
func ratePercent(r models.Rate) string { return r.String() }

func (h *publicHandler) board(c *gin.Context) {
	ctx := c.Request.Context()
	loc := h.loc()
	p := boardPage{RateMonths: h.cfg.RateMonths, QueryMax: h.cfg.QueryMax}
	p.Q = strings.TrimSpace(strings.ToValidUTF8(c.Query("q"), ""))
	if utf8.RuneCountInString(p.Q) > h.cfg.QueryMax {
		p.Q = string([]rune(p.Q)[:h.cfg.QueryMax])
	}
	p.Unit = c.Query("unit")
	page, _ := strconv.Atoi(c.Query("page"))
	p.Page = min(max(page, 1), maxPage)

	st, err := h.unitRates(ctx)
	if err != nil {
		logger(c).Error("board rates", "err", err)
		h.boardFail(c)
		return
	}
	p.Since = st.Period.From.In(loc).Format("2006年1月2日")
	known := false
	for _, u := range st.Units {
		bu := boardUnit{Code: u.Code, Name: u.Name, Reply: u.ReplyRate(), Satisfaction: u.SatisfactionRate(), Assigned: u.Assigned, Rated: u.Rated, NotDue: u.NotDue()}
		bu.ReplyLow, bu.SatisfiedLow = bu.Reply.Below(h.cfg.ReplyTarget), bu.Satisfaction.Below(h.cfg.SatisfactionTarget)
		p.Units = append(p.Units, bu)
		known = known || u.Code == p.Unit
	}
	if !known {
		p.Unit = ""
	}

	q := models.PublicQuery{Statuses: []models.Status{models.StatusAnswered, models.StatusClosed}, Dept: p.Unit, ByAnswer: true}
	var cases []models.PublicCase
	if p.Q == "" {
		if p.Total, err = h.store.CountPublicCases(ctx, q); err == nil {
			q.Offset, q.Limit = (p.Page-1)*h.cfg.PageSize, h.cfg.PageSize
			cases, err = h.store.PublicCases(ctx, q)
		}
	} else {
		// The stored text narrows the search; the match that counts is on
		// the masked text, so that a name or a phone number finds nothing.
		p.Searched = true
		q.Text, q.Limit = p.Q, h.cfg.SearchScan
		var all []models.PublicCase
		if all, err = h.store.PublicCases(ctx, q); err == nil {
			needle := strings.ToLower(p.Q)
			for _, k := range all {
				problem, answer := maskCase(k)
				if strings.Contains(strings.ToLower(problem), needle) || strings.Contains(strings.ToLower(answer), needle) {
					cases = append(cases, k)
				}
			}
			p.Total = int64(len(cases))
			from := min((p.Page-1)*h.cfg.PageSize, len(cases))
			cases = cases[from:min(from+h.cfg.PageSize, len(cases))]
		}
	}
	if err != nil {
		logger(c).Error("board cases", "err", err)
		h.boardFail(c)
		return
	}
	names := map[string]string{}
	for _, u := range p.Units {
		names[u.Code] = u.Name
	}
	for _, k := range cases {
		problem, answer := maskCase(k)
		it := boardItem{
			No: k.No, Received: k.ReceivedAt.In(loc).Format("2006-01-02"), Unit: k.DeptName, UnitCode: k.DeptCode,
			Problem: problem, Answer: answer, Rating: k.Rating,
		}
		if k.AnsweredAt != nil {
			it.Answered = k.AnsweredAt.In(loc).Format("2006-01-02")
		}
		p.Items = append(p.Items, it)
	}
	p.Last = max(int(math.Ceil(float64(p.Total)/float64(h.cfg.PageSize))), 1)
	link := func(page int) string {
		v := url.Values{}
		if p.Q != "" {
			v.Set("q", p.Q)
		}
		if p.Unit != "" {
			v.Set("unit", p.Unit)
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		if len(v) == 0 {
			return "/board"
		}
		return "/board?" + v.Encode()
	}
	if p.Page > 1 {
		p.Prev = link(min(p.Page-1, p.Last))
	}
	if p.Page < p.Last {
		p.Next = link(p.Page + 1)
	}
	publicHeaders(c)
	c.Status(http.StatusOK)
	if err := boardPages.ExecuteTemplate(c.Writer, "board.html", p); err != nil {
		logger(c).Error("render board", "err", err)
	}
}

func (h *publicHandler) boardFail(c *gin.Context) {
	publicHeaders(c)
	c.Status(http.StatusInternalServerError)
	if err := boardPages.ExecuteTemplate(c.Writer, "board.html", boardPage{Err: "系统繁忙，请稍后再试。", Page: 1, Last: 1}); err != nil {
		logger(c).Error("render board", "err", err)
	}
}

// publicHeaders are the headers of the public pages: no scripts, no
// outside assets, not framed.
func publicHeaders(c *gin.Context) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-cache")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Frame-Options", "DENY")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
}
