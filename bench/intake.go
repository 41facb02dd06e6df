package bench

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"time"

	"minsheng/bot"
	"minsheng/config"
	"minsheng/models"
)

// caseNoRe finds the case number in an acknowledgement.
var caseNoRe = regexp.MustCompile(`编号：(\d{11,20})`)

// intake sends n reports from n citizens through the encrypted callback on
// clients connections and checks that each was acknowledged with a case
// number and that n cases were committed.
func (o *office) intake(ctx context.Context, n, clients int) (*measurement, error) {
	before, err := o.store.CountCases(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench: count cases: %w", err)
	}
	prefix := fmt.Sprintf("c%d-", clients)
	m, err := run(ctx, n, clients, func(ctx context.Context, i int) error {
		r, err := o.mp.Send(ctx, o.report(prefix, i))
		if err != nil {
			return err
		}
		if !caseNoRe.MatchString(r.Content) {
			return fmt.Errorf("callback %d answered without a case number: %.200q", i, r.Content)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bench: intake with %d clients: %w", clients, err)
	}
	after, err := o.store.CountCases(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench: count cases: %w", err)
	}
	if int(after-before) != n {
		return nil, fmt.Errorf("bench: intake with %d clients: %d cases committed for %d acknowledged reports", clients, after-before, n)
	}
	return m, nil
}

// rawInserts writes, n times on clients connections, the rows one intake
// writes for a new case, as plain SQL in one transaction each: the citizen
// (upsert), the day's case number (upsert), the case, its first event, one
// dispatcher card per dispatcher in the outbox, and the inbound message with
// its reply. It is the most this database can do for the same work; level
// keeps each run's numbers apart from the others' and from the intake's.
func rawInserts(ctx context.Context, db *sql.DB, cfg *config.Config, n, clients, dispatchers, level int) (*measurement, error) {
	day := fmt.Sprintf("209912%02d", level+1)
	payload := `{"kind":"card","title":"新问题","text":"解放路1号附近的路灯不亮了","fields":[{"key":"编号","value":"x"}],"buttons":[{"key":"assign:x:cg","text":"交办县城市管理局","style":1}],"task_id":"new_case-1-abcdef"}`
	m, err := run(ctx, n, clients, func(ctx context.Context, i int) error {
		now := time.Now().UTC().Truncate(time.Second)
		text := fmt.Sprintf("解放路%d号附近的路灯不亮了，已经%d天了，请尽快处理。", i%97+1, i%9+2)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		res, err := tx.ExecContext(ctx,
			"INSERT INTO citizens (open_id, alias, created_at, last_message_at) VALUES (?, '', ?, ?) ON DUPLICATE KEY UPDATE last_message_at = VALUES(last_message_at)",
			fmt.Sprintf("oraw%d-%07d", level, i), now, now)
		if err != nil {
			return fmt.Errorf("citizen: %w", err)
		}
		citizen, _ := res.LastInsertId()
		// One round trip for the number: the updated value comes back as
		// the statement's insert id.
		res, err = tx.ExecContext(ctx,
			"INSERT INTO case_sequences (day, seq) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE seq = LAST_INSERT_ID(seq + 1)", day)
		if err != nil {
			return fmt.Errorf("case number: %w", err)
		}
		seq, _ := res.LastInsertId()
		if seq == 0 {
			seq = 1
		}
		no := fmt.Sprintf("%s%03d", day, seq)
		res, err = tx.ExecContext(ctx,
			`INSERT INTO cases (no, citizen_id, content, content_hash, status, severity, kind, received_at, ack_due_at, repeats, created_at, updated_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
			no, citizen, text, models.TextHash(text), models.StatusReceived, models.SeverityGeneral, cfg.Deadlines.DefaultKind, now, now.Add(cfg.Deadlines.Acknowledge.D()), now, now)
		if err != nil {
			return fmt.Errorf("case: %w", err)
		}
		caseID, _ := res.LastInsertId()
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO case_events (case_id, kind, actor_kind, actor_id, actor_name, platform, from_state, to_state, body, created_at)
			 VALUES (?, ?, ?, ?, ?, 'mp', '', ?, ?, ?)`,
			caseID, models.EventReceived, models.ActorCitizen, citizen, models.CitizenAlias(uint64(citizen)), models.StatusReceived, text, now); err != nil {
			return fmt.Errorf("event: %w", err)
		}
		for d := range dispatchers {
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO outboxes (platform, target, kind, payload, case_id, dedup_key, status, attempts, next_attempt_at, ref, created_at, updated_at)
				 VALUES ('wecom', ?, 'new_case', ?, ?, ?, 'pending', 0, ?, ?, ?, ?)`,
				fmt.Sprintf("member:%d", d+1), payload, caseID, fmt.Sprintf("raw:%d:%d:%d", level, i, d), now, fmt.Sprintf("raw-%d-%d-%d", level, i, d), now, now); err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO inbound_messages (platform, dedup_key, citizen_id, msg_type, content, outcome, case_id, reply, created_at)
			 VALUES ('mp', ?, ?, 'text', ?, ?, ?, ?, ?)`,
			fmt.Sprintf("raw:%d:%d", level, i), citizen, text, bot.OutcomeCase, caseID, bot.Acknowledgement+"\n编号："+no, now); err != nil {
			return fmt.Errorf("inbound message: %w", err)
		}
		return tx.Commit()
	})
	if err != nil {
		return nil, fmt.Errorf("bench: raw inserts with %d clients: %w", clients, err)
	}
	return m, nil
}
