// Package reports makes what the units are judged by out of the store's
// figures (models.Stats): the weekly summary for the joint-meeting group
// (Weekly) with its chart of the rates (RatesChart), the monthly workbook
// (Monthly), and the case-row renderer the case lists share (Cells: the
// dashboard's exports and the workbook's case list). It sends nothing: the
// jobs queue what it makes, the dashboard serves it. Nothing in it names a
// reporter; problem texts are masked (redact).
package reports
