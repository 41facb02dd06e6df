// Package jobs holds the named background jobs of 民声: outbox delivery,
// reminders and supervision of overdue cases, escalation to leaders, the
// weekly summary and the monthly report (made by package reports, queued
// here). Each job is a type whose one run is a method call on the store,
// the bot or reports, safe to run on several server instances at once; cron
// only schedules them.
package jobs
