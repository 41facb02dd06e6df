package handlers_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// The record of an inbound message keeps no more of a report than its case
// does: a 20,000-character message opens a case cut to intake.max_length
// (2,000) and its inbound row holds the same 2,000, not the whole text.
func TestInboundKeepsNoMoreThanTheCase(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		long := "幸福小区东门路灯不亮。" + strings.Repeat("晚上很黑，老人摔倒。", 2000)
		_, no := o.report(t, "oLongReport", long)
		k := o.caseOf(t, no)
		var in models.InboundMessage
		modeltest.Must(t, s.DB().Where("case_id = ?", k.ID).First(&in).Error, "inbound row of %s", no)
		if got := utf8.RuneCountInString(k.Content); got != 2000 {
			t.Errorf("case %s keeps %d characters; want 2000", no, got)
		}
		if got := utf8.RuneCountInString(in.Content); got > utf8.RuneCountInString(k.Content) {
			t.Errorf("inbound row keeps %d characters, more than the case's %d", got, utf8.RuneCountInString(k.Content))
		}
	})
}
