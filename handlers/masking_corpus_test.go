package handlers_test

import (
	"bufio"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// piiCorpus is the masking corpus, from this package's directory: ../shared
// beside the repository.
const piiCorpus = "../../shared/data/pii/dev.tsv"

// piiRow is a row of the masking corpus: a citizen's report and what must
// never reach a unit, a leader, a group or the public.
type piiRow struct {
	line       int
	text, kind string
	mustHide   []string
}

func readPIICorpus(t *testing.T) []piiRow {
	t.Helper()
	f, err := os.Open(piiCorpus)
	if err != nil {
		t.Skipf("the masking corpus is needed for this test: %v", err)
	}
	defer f.Close()
	var rows []piiRow
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		cols := strings.Split(sc.Text(), "\t")
		if line == 1 {
			continue
		}
		if len(cols) != 4 {
			t.Fatalf("%s:%d: %d columns; want 4", piiCorpus, line, len(cols))
		}
		var hide []string
		if cols[1] != "" {
			hide = strings.Split(cols[1], " | ")
		}
		rows = append(rows, piiRow{line: line, text: cols[0], kind: cols[3], mustHide: hide})
	}
	modeltest.Must(t, sc.Err(), "read %s", piiCorpus)
	return rows
}

// mdUnescaper undoes what mdEscape does to a citizen's text on a card, so
// that a leak written zhang＿wei is found as zhang_wei.
var mdUnescaper = strings.NewReplacer("＊", "*", "＿", "_", "｀", "`", "＃", "#", "［", "[", "］", "]", "＜", "<", "＞", ">")

// TestMaskingCorpusEndToEnd sends every row of the masking corpus as a
// citizen's report; the dispatcher assigns it, the unit accepts and
// answers it, the head approves it (so it is published) and the leader
// looks it up. Then everything a unit, a group, a leader or the public got
// is scanned for each row's must_hide substrings: WeCom app messages (not
// the dispatcher's), cards and their updates, group messages, the replies
// to members' commands, the board, Open311 and the dashboard's exports; and
// board search for a must_hide substring finds nothing.
func TestMaskingCorpusEndToEnd(t *testing.T) {
	rows := readPIICorpus(t)
	if testing.Short() {
		t.Skip("the whole corpus through the product: not in -short")
	}
	const answer = "您好，您反映的问题已转相关部门现场核查处理，感谢您的监督。"
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		st := newSite(t, s, testAdmin(t))
		var seen []string // what members other than the dispatcher were told
		nos := make([]string, len(rows))
		for i, r := range rows {
			no := st.citizen(t, fmt.Sprintf("oCorpus%03d", i), r.text)
			nos[i] = no
			st.mustSay(t, "dispatcher1", "交办 "+no+" cg", "已将")
			seen = append(seen, st.say(t, "cg-officer1", "签收 "+no))
			seen = append(seen, st.say(t, "cg-officer1", "查 "+no))
			seen = append(seen, st.say(t, "cg-officer1", "答复 "+no+" "+answer))
			seen = append(seen, st.say(t, "cg-head", "同意 "+no))
			seen = append(seen, st.say(t, "leader1", "查 "+no))
			st.clock.Add(10 * 60e9)
		}
		st.flush(t)

		outputs := map[string][]string{"member replies": seen}
		for _, m := range st.wc.AppMessages() {
			if m.ToUser != "dispatcher1" {
				outputs["app messages"] = append(outputs["app messages"], string(mustJSON(m.Raw)))
			}
		}
		for _, key := range []string{"key-cg", "key-zj", "key-hb", "key-joint"} {
			for _, m := range st.wc.GroupMessages(key) {
				outputs["group messages"] = append(outputs["group messages"], string(mustJSON(m.Raw)))
			}
		}
		for _, u := range st.wc.CardUpdates() {
			outputs["card updates"] = append(outputs["card updates"], string(mustJSON(u.Raw)))
		}
		for page := 1; page <= (len(rows)+testPublic.PageSize-1)/testPublic.PageSize; page++ {
			code, body, _ := st.get(t, fmt.Sprintf("/board?page=%d", page))
			if code != http.StatusOK {
				t.Fatalf("GET /board?page=%d = %d", page, code)
			}
			outputs["board"] = append(outputs["board"], html.UnescapeString(unmark(body)))
		}
		code, body, _ := st.get(t, "/open311/v2/requests.json?page_size=200&start_date=2026-11-01")
		if code != http.StatusOK {
			t.Fatalf("GET requests.json = %d", code)
		}
		outputs["open311"] = append(outputs["open311"], body)
		c := browserClient(t)
		st.signIn(t, c)
		code, body, _ = fetch(t, c, http.MethodGet, st.pub.URL+"/admin/export.csv?from=2026-11-01&to=2026-12-31", nil)
		if code != http.StatusOK {
			t.Fatalf("export.csv = %d", code)
		}
		outputs["export"] = append(outputs["export"], body)
		for _, no := range []string{nos[0], nos[len(nos)-1]} {
			if !strings.Contains(strings.Join(outputs["board"], ""), no) || !strings.Contains(body, no) {
				t.Errorf("case %s is not on the board and in the export: the corpus did not go through", no)
			}
		}

		// Board search matches the masked text only: no must_hide substring
		// finds a case (a word of a row's text does).
		if _, body, _ := st.get(t, "/board?q="+url.QueryEscape("芙蓉路")); len(cardNos(body)) == 0 {
			t.Errorf("board search for 芙蓉路 finds nothing: the search is not what is tested")
		}
		for _, r := range rows {
			for _, h := range r.mustHide {
				if utf8.RuneCountInString(h) > testPublic.QueryMax {
					continue
				}
				_, body, _ := st.get(t, "/board?q="+url.QueryEscape(h))
				if got := cardNos(body); len(got) > 0 {
					t.Errorf("board search for %q of line %d (%s) finds %v", h, r.line, r.kind, got)
				}
			}
		}

		leaks := 0
		for where, texts := range outputs {
			all := mdUnescaper.Replace(strings.Join(texts, "\n"))
			for _, r := range rows {
				for _, h := range r.mustHide {
					if strings.Contains(all, h) {
						leaks++
						t.Errorf("%s carry %q of line %d (%s)", where, h, r.line, r.kind)
					}
				}
			}
		}
		t.Logf("%d corpus rows through the product, %d outputs scanned, %d leaks", len(rows), len(outputs), leaks)
	})
}
