package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"minsheng/handlers"
	"minsheng/models/modeltest"
)

// TestHome: GET / leads to the sandbox in sandbox mode, otherwise it is a
// Chinese page naming the public board; /favicon.ico answers without 404.
func TestHome(t *testing.T) {
	s := modeltest.Open(t, "sqlite")
	for _, tc := range []struct {
		name    string
		sandbox bool
	}{{"production", false}, {"sandbox", true}} {
		t.Run(tc.name, func(t *testing.T) {
			r := handlers.New(handlers.Deps{Store: s, Metrics: handlers.NewMetrics(s), Admin: &handlers.AdminConfig{Sandbox: tc.sandbox}})
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			if tc.sandbox {
				if w.Code != http.StatusFound || w.Header().Get("Location") != "/sandbox" {
					t.Errorf("GET / = %d to %q; want 302 to /sandbox", w.Code, w.Header().Get("Location"))
				}
			} else {
				body := w.Body.String()
				if w.Code != http.StatusOK || !strings.Contains(body, `href="/board"`) || !strings.Contains(body, "部门回应") || !strings.Contains(body, `lang="zh-CN"`) {
					t.Errorf("GET / = %d %q; want a Chinese page linking the board", w.Code, body)
				}
			}
			w = httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/favicon.ico", nil))
			if w.Code != http.StatusNoContent {
				t.Errorf("GET /favicon.ico = %d; want 204", w.Code)
			}
		})
	}
}
