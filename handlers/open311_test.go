package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// request is a GeoReport v2 service request as the open data gives it.
type request struct {
	ID          string `json:"service_request_id"`
	Status      string `json:"status"`
	StatusNotes string `json:"status_notes"`
	ServiceName string `json:"service_name"`
	ServiceCode string `json:"service_code"`
	Description string `json:"description"`
	Agency      string `json:"agency_responsible"`
	Requested   string `json:"requested_datetime"`
	Updated     string `json:"updated_datetime"`
	Expected    string `json:"expected_datetime"`
}

func (st *site) open311(t *testing.T, path string) (int, []request, string, http.Header) {
	t.Helper()
	code, body, hdr := st.get(t, "/open311/v2"+path)
	var out []request
	if code == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("GET %s: %v: %s", path, err, body)
		}
	}
	return code, out, body, hdr
}

func ids(rs []request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestOpen311Services(t *testing.T) {
	st := newSite(t, modeltest.Open(t, "sqlite"), nil)
	code, body, hdr := st.get(t, "/open311/v2/services.json")
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("services.json = %d %s", code, hdr.Get("Content-Type"))
	}
	var got []map[string]any
	modeltest.Must(t, json.Unmarshal([]byte(body), &got), "decode %s", body)
	want := []map[string]any{
		{"service_code": "cg", "service_name": "县城市管理局", "metadata": false, "type": "realtime", "keywords": "路灯,井盖"},
		{"service_code": "hb", "service_name": "县生态环境分局", "metadata": false, "type": "realtime", "keywords": "噪音"},
		{"service_code": "zj", "service_name": "县住房和城乡建设局", "metadata": false, "type": "realtime", "keywords": "物业,燃气"},
	}
	if len(got) != len(want) {
		t.Fatalf("services = %v; want %d", got, len(want))
	}
	for i, w := range want {
		for k, v := range w {
			if got[i][k] != v {
				t.Errorf("service %d %s = %v; want %v", i, k, got[i][k], v)
			}
		}
		if d, _ := got[i]["description"].(string); d == "" {
			t.Errorf("service %d has no description", i)
		}
	}
	if hdr.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("open data is not readable by other sites' scripts")
	}
}

func TestOpen311Requests(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		st := newSite(t, s, nil)
		st.seed(t)
		wang, li, zhao, sun := st.nos["oCitizenWang001"], st.nos["oCitizenLi002"], st.nos["oCitizenZhao003"], st.nos["oCitizenSun005"]

		code, all, body, hdr := st.open311(t, "/requests.json")
		if code != http.StatusOK {
			t.Fatalf("requests.json = %d %s", code, body)
		}
		// Triaged cases, newest first; the withheld and the invalid one are not public.
		if got, want := ids(all), []string{sun, zhao, li, wang}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("requests = %v; want %v", got, want)
		}
		if hdr.Get("X-Total-Count") != "4" {
			t.Errorf("X-Total-Count = %q; want 4", hdr.Get("X-Total-Count"))
		}
		if l := st.leaks(body); len(l) > 0 {
			t.Errorf("requests.json carries identities %q", l)
		}
		k, err := s.CaseByNo(context.Background(), wang)
		modeltest.Must(t, err, "case")
		w := all[3]
		wantW := request{
			ID: wang, Status: "closed", ServiceCode: "zj", ServiceName: "县住房和城乡建设局", Agency: "县住房和城乡建设局",
			Description: "我叫[姓名已隐去]，电话[电话已隐去]，身份证[身份证号已隐去]。幸福小区[门牌已隐去]楼上漏水一个月了，物业不管。",
			StatusNotes: "[姓名已隐去]，您好！经核查，幸福小区[门牌已隐去]卫生间防水层老化，物业已于11月25日完成维修，漏水已解决。",
			Requested:   "2026-11-23T10:00:00+08:00", Updated: k.UpdatedAt.In(modeltest.Shanghai).Format(time.RFC3339),
			Expected: k.DueAt.In(modeltest.Shanghai).Format(time.RFC3339),
		}
		if w != wantW {
			t.Errorf("request %s =\n%+v; want\n%+v", wang, w, wantW)
		}
		if o := all[0]; o.Status != "open" || o.StatusNotes != "" || o.ServiceCode != "hb" || o.Expected == "" ||
			o.Description != "我叫[姓名已隐去]，电话[电话已隐去]，东门菜市场占道经营严重，早上堵车" {
			t.Errorf("open request = %+v; want open, hb, masked, with its deadline", o)
		}

		liCase, err := s.CaseByNo(context.Background(), li)
		modeltest.Must(t, err, "case")
		liAt := url.QueryEscape(liCase.ReceivedAt.In(modeltest.Shanghai).Format(time.RFC3339))
		tests := []struct {
			name, query string
			want        []string
			total       string
		}{
			{"open", "status=open", []string{sun}, "1"},
			{"closed", "status=closed", []string{zhao, li, wang}, "3"},
			{"both", "status=open,closed", []string{sun, zhao, li, wang}, "4"},
			{"unit", "service_code=cg", []string{zhao, li}, "2"},
			{"unit and status", "service_code=hb&status=closed", nil, "0"},
			{"from", "start_date=" + liAt, []string{sun, zhao, li}, "3"},
			{"to", "end_date=" + liAt, []string{wang}, "1"},
			{"date only", "start_date=2026-11-24", nil, "0"},
			{"ids", "service_request_id=" + wang + "," + li, []string{li, wang}, "2"},
			{"ids override the rest", "service_request_id=" + wang + "&status=open", []string{wang}, "1"},
			{"withheld id", "service_request_id=" + st.nos["oCitizenChen004"], nil, "0"},
			{"page size", "page_size=2", []string{sun, zhao}, "4"},
			{"page 2", "page=2&page_size=2", []string{li, wang}, "4"},
			{"page past the end", "page=3&page_size=2", nil, "4"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				code, got, body, hdr := st.open311(t, "/requests.json?"+tt.query)
				if code != http.StatusOK {
					t.Fatalf("requests.json?%s = %d %s", tt.query, code, body)
				}
				if fmt.Sprint(ids(got)) != fmt.Sprint(tt.want) {
					t.Errorf("requests.json?%s = %v; want %v", tt.query, ids(got), tt.want)
				}
				if hdr.Get("X-Total-Count") != tt.total {
					t.Errorf("requests.json?%s total = %q; want %s", tt.query, hdr.Get("X-Total-Count"), tt.total)
				}
				if body == "null" {
					t.Errorf("requests.json?%s = null; want a list", tt.query)
				}
			})
		}

		// Without dates, the last open311.default_days days.
		st.clock.Add(91 * 24 * time.Hour)
		if _, got, _, _ := st.open311(t, "/requests.json"); len(got) != 0 {
			t.Errorf("91 days on, requests.json = %v; want none by default", ids(got))
		}
		if _, got, _, _ := st.open311(t, "/requests.json?start_date=2026-11-01"); len(got) != 4 {
			t.Errorf("91 days on, with start_date, requests.json = %v; want all 4", ids(got))
		}
	})
}

func TestOpen311Request(t *testing.T) {
	st := newSite(t, modeltest.Open(t, "sqlite"), nil)
	st.seed(t)
	wang := st.nos["oCitizenWang001"]
	code, got, body, _ := st.open311(t, "/requests/"+wang+".json")
	if code != http.StatusOK || len(got) != 1 || got[0].ID != wang || got[0].Status != "closed" {
		t.Fatalf("requests/%s.json = %d %s", wang, code, body)
	}
	if l := st.leaks(body); len(l) > 0 {
		t.Errorf("request carries identities %q", l)
	}
	for _, tt := range []struct{ path, why string }{
		{"/requests/" + st.nos["oCitizenChen004"] + ".json", "withheld"},
		{"/requests/" + st.nos["oCitizenZhou006"] + ".json", "invalid"},
		{"/requests/20261123999.json", "unknown"},
		{"/requests/" + wang + ".xml", "XML"},
		{"/requests/abc.json", "not a number"},
	} {
		code, _, body, hdr := st.open311(t, tt.path)
		var errs []struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		}
		if code != http.StatusNotFound || json.Unmarshal([]byte(body), &errs) != nil || len(errs) != 1 || errs[0].Code != 404 || errs[0].Description == "" {
			t.Errorf("%s (%s) = %d %s %s; want 404 with a GeoReport error", tt.path, tt.why, code, hdr.Get("Content-Type"), body)
		}
	}
}

func TestOpen311BadParameters(t *testing.T) {
	st := newSite(t, modeltest.Open(t, "sqlite"), nil)
	for _, q := range []string{
		"status=pending", "page=0", "page=x", "page=9223372036854775807", "page_size=0", "page_size=201", "start_date=yesterday",
		"end_date=2026-13-01", "service_request_id=abc", "service_request_id=" + url.QueryEscape("20261123001,;drop"),
	} {
		code, _, body, _ := st.open311(t, "/requests.json?"+q)
		var errs []struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		}
		if code != http.StatusBadRequest || json.Unmarshal([]byte(body), &errs) != nil || len(errs) != 1 || errs[0].Code != 400 {
			t.Errorf("requests.json?%s = %d %s; want 400 with a GeoReport error", q, code, body)
		}
	}
}
