// Package models is the domain of 民声 and all of its SQL: cases and their
// state machine, citizens, departments and members, the append-only event
// record, attachments, the outbox of messages to send, and the working-day
// calendar deadlines are counted in. It imports no other package of this
// repository.
package models
