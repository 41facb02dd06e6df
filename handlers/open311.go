package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/bot"
	"minsheng/models"
)

// Open data: a read-only subset of Open311 GeoReport v2, JSON only, so
// civic-tech tools can read the cases (https://wiki.open311.org/GeoReport_v2).
//
//	GET /open311/v2/services.json          the units: service_code = unit code
//	GET /open311/v2/requests.json          cases, newest first
//	GET /open311/v2/requests/<编号>.json    one case
//
// A request is a case that was triaged valid and assigned (已受理 cases
// waiting for triage, invalid and duplicate ones are not public), and not
// withheld from the board. status is open until the answer, then closed;
// description is the masked problem, status_notes the masked answer.
// requests.json takes GeoReport's start_date, end_date (on
// requested_datetime; without either, the last open311.default_days days),
// status (open, closed or both, comma separated), service_code and
// service_request_id (comma separated numbers; it overrides the rest), and
// page (from 1) and page_size (up to open311.max_page_size). The total is in
// the X-Total-Count header. Nothing says who reported a case.

// open311Service is one entry of services.json.
type open311Service struct {
	Code        string `json:"service_code"`
	Name        string `json:"service_name"`
	Description string `json:"description"`
	Metadata    bool   `json:"metadata"`
	Type        string `json:"type"`
	Keywords    string `json:"keywords"`
	Group       string `json:"group"`
}

// open311Request is one entry of requests.json.
type open311Request struct {
	ID          string `json:"service_request_id"`
	Status      string `json:"status"`
	StatusNotes string `json:"status_notes"`
	ServiceName string `json:"service_name"`
	ServiceCode string `json:"service_code"`
	Description string `json:"description"`
	Agency      string `json:"agency_responsible"`
	Notice      string `json:"service_notice"`
	Requested   string `json:"requested_datetime"`
	Updated     string `json:"updated_datetime"`
	Expected    string `json:"expected_datetime,omitempty"`
	Address     string `json:"address"`
}

// open311Error is GeoReport's error shape; errors come as a list of them.
type open311Error struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

// Statuses of GeoReport and the case statuses they stand for.
var (
	open311Open   = []models.Status{models.StatusAssigned, models.StatusHandling, models.StatusReviewing}
	open311Closed = []models.Status{models.StatusAnswered, models.StatusClosed}
)

// open311Headers let any site's scripts read the open data.
func (h *publicHandler) open311Headers(c *gin.Context) {
	c.Header("Access-Control-Allow-Origin", "*")
	c.Header("Access-Control-Expose-Headers", "X-Total-Count")
	c.Header("Cache-Control", "no-cache")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Next()
}

func open311Fail(c *gin.Context, status int, description string) {
	c.JSON(status, []open311Error{{Code: status, Description: description}})
}

func (h *publicHandler) services(c *gin.Context) {
	deps, err := h.store.Departments(c.Request.Context())
	if err != nil {
		logger(c).Error("open311 services", "err", err)
		open311Fail(c, http.StatusInternalServerError, "系统繁忙，请稍后再试")
		return
	}
	out := make([]open311Service, 0, len(deps))
	for _, d := range deps {
		out = append(out, open311Service{
			Code: d.Code, Name: d.Name, Description: "由" + d.Name + "承办的群众反映问题",
			Metadata: false, Type: "realtime", Keywords: strings.Join(d.KeywordList(), ","), Group: "网络问政",
		})
	}
	c.JSON(http.StatusOK, out)
}

// w3c formats t as GeoReport's W3C datetime in the server's zone.
func (h *publicHandler) w3c(t time.Time) string { return t.In(h.loc()).Format(time.RFC3339) }

// parseW3C reads a W3C datetime (2026-11-21T10:00:00+08:00) or a date
// (2026-11-21, midnight in the server's zone).
func (h *publicHandler) parseW3C(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation(time.DateOnly, s, h.loc())
}

func (h *publicHandler) open311Request(k models.PublicCase) open311Request {
	problem, answer := maskCase(k)
	r := open311Request{
		ID: k.No, Status: "open", ServiceName: k.DeptName, ServiceCode: k.DeptCode, Description: problem,
		Agency: k.DeptName, Requested: h.w3c(k.ReceivedAt), Updated: h.w3c(k.UpdatedAt),
	}
	if k.Status == models.StatusAnswered || k.Status == models.StatusClosed {
		r.Status, r.StatusNotes = "closed", answer
	}
	if k.DueAt != nil {
		r.Expected = h.w3c(*k.DueAt)
	}
	return r
}

func (h *publicHandler) requests(c *gin.Context) {
	cfg := h.cfg.Open311
	q := models.PublicQuery{Statuses: append(append([]models.Status(nil), open311Open...), open311Closed...)}
	if ids := c.Query("service_request_id"); ids != "" {
		for _, id := range strings.Split(ids, ",") {
			if id = strings.TrimSpace(id); !bot.ValidCaseNo(id) {
				open311Fail(c, http.StatusBadRequest, fmt.Sprintf("service_request_id %q 不是有效的编号", id))
				return
			}
			q.Nos = append(q.Nos, strings.TrimSpace(id))
		}
	} else {
		if v := c.Query("status"); v != "" {
			q.Statuses = nil
			for _, s := range strings.Split(v, ",") {
				switch strings.TrimSpace(s) {
				case "open":
					q.Statuses = append(q.Statuses, open311Open...)
				case "closed":
					q.Statuses = append(q.Statuses, open311Closed...)
				default:
					open311Fail(c, http.StatusBadRequest, "status 只能是 open 或 closed")
					return
				}
			}
		}
		q.Dept = c.Query("service_code")
		for key, dst := range map[string]*time.Time{"start_date": &q.ReceivedFrom, "end_date": &q.ReceivedTo} {
			if v := c.Query(key); v != "" {
				t, err := h.parseW3C(v)
				if err != nil {
					open311Fail(c, http.StatusBadRequest, key+" 应为 W3C 时间，如 2026-11-21T10:00:00+08:00")
					return
				}
				*dst = t
			}
		}
		if q.ReceivedFrom.IsZero() && q.ReceivedTo.IsZero() {
			q.ReceivedFrom = h.now().AddDate(0, 0, -cfg.DefaultDays)
		}
	}
	page, size := 1, cfg.PageSize
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			open311Fail(c, http.StatusBadRequest, "page 应为从 1 起的整数")
			return
		}
		page = n
	}
	if v := c.Query("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > cfg.MaxPageSize {
			open311Fail(c, http.StatusBadRequest, fmt.Sprintf("page_size 应为 1 到 %d 的整数", cfg.MaxPageSize))
			return
		}
		size = n
	}
	ctx := c.Request.Context()
	total, err := h.store.CountPublicCases(ctx, q)
	if err != nil {
		logger(c).Error("open311 requests", "err", err)
		open311Fail(c, http.StatusInternalServerError, "系统繁忙，请稍后再试")
		return
	}
	q.Offset, q.Limit = (page-1)*size, size
	cases, err := h.store.PublicCases(ctx, q)
	if err != nil {
		logger(c).Error("open311 requests", "err", err)
		open311Fail(c, http.StatusInternalServerError, "系统繁忙，请稍后再试")
		return
	}
	out := make([]open311Request, 0, len(cases))
	for _, k := range cases {
		out = append(out, h.open311Request(k))
	}
	c.Header("X-Total-Count", strconv.FormatInt(total, 10))
	c.JSON(http.StatusOK, out)
}

func (h *publicHandler) request(c *gin.Context) {
	no, ok := strings.CutSuffix(c.Param("id"), ".json")
	if !ok {
		open311Fail(c, http.StatusNotFound, "只提供 JSON 格式：/open311/v2/requests/<编号>.json")
		return
	}
	if !bot.ValidCaseNo(no) {
		open311Fail(c, http.StatusNotFound, "没有这个编号")
		return
	}
	q := models.PublicQuery{Statuses: append(append([]models.Status(nil), open311Open...), open311Closed...), Nos: []string{no}}
	cases, err := h.store.PublicCases(c.Request.Context(), q)
	if err != nil {
		logger(c).Error("open311 request", "case_no", no, "err", err)
		open311Fail(c, http.StatusInternalServerError, "系统繁忙，请稍后再试")
		return
	}
	if len(cases) == 0 {
		open311Fail(c, http.StatusNotFound, "没有这个编号，或它不公开")
		return
	}
	c.JSON(http.StatusOK, []open311Request{h.open311Request(cases[0])})
}
