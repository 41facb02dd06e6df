package bench

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"time"

	"minsheng/bot"
	"minsheng/bot/mp"
	"minsheng/config"
	"minsheng/models"
)

// caseNoRe finds the case number in an acknowledgement.
var caseNoRe = regexp.MustCompile(`编号：(\d{11,20})`)

// intake sends n reports from n citizens (numbered from on) through the
// encrypted callback on clients connections and checks that each was
// acknowledged with its own case number and that n cases were committed.
// The callbacks are signed and encrypted before the clock starts and the
// replies checked (signature, decryption, addressee, number) after it
// stops: WeChat does that work on its own machines. The HTTP exchange is
// timed.
func (o *office) intake(ctx context.Context, from, n, clients int) (*measurement, error) {
	before, err := o.store.CountCases(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench: count cases: %w", err)
	}
	prefix := fmt.Sprintf("c%d-", clients)
	type callback struct {
		m      mp.Message
		req    []byte
		status int
		raw    []byte
	}
	w := newWire(o.addr, clients)
	defer w.close()
	cbs := make([]callback, n)
	for i := range cbs {
		c := &cbs[i]
		c.m = o.mp.Fill(o.report(prefix, from+i))
		q, body, err := o.mp.Prepare(c.m)
		if err != nil {
			return nil, fmt.Errorf("bench: prepare callback %d: %w", i, err)
		}
		c.req = w.request("/callback/mp", q, "text/xml", body)
	}
	if err := w.open(ctx, clients); err != nil {
		return nil, fmt.Errorf("bench: intake with %d clients: %w", clients, err)
	}
	m, err := run(ctx, n, clients, func(ctx context.Context, i int) error {
		c := &cbs[i]
		var err error
		c.status, c.raw, err = w.do(ctx, c.req)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bench: intake with %d clients: %w", clients, err)
	}
	seen := make(map[string]bool, n)
	for i := range cbs {
		c := &cbs[i]
		r, err := o.mp.Check(c.m, c.status, c.raw)
		if err != nil {
			return nil, fmt.Errorf("bench: intake with %d clients: callback %d: %w", clients, i, err)
		}
		no := caseNoRe.FindStringSubmatch(r.Content)
		if no == nil {
			return nil, fmt.Errorf("bench: intake with %d clients: callback %d answered without a case number: %.200q", clients, i, r.Content)
		}
		if seen[no[1]] {
			return nil, fmt.Errorf("bench: intake with %d clients: case number %s given twice", clients, no[1])
		}
		seen[no[1]] = true
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

// rawRows are the values one new case's rows hold, as the intake writes
// them (same columns, texts of the same length): the baseline below writes
// them with plain SQL.
type rawRows struct {
	openID, dedup, text, hash string
	now                       time.Time
}

func newRawRows(kind string, level, i int) rawRows {
	text := fmt.Sprintf("解放路%d号附近的路灯不亮了，已经%d天了，请尽快处理。", i%97+1, i%9+2)
	return rawRows{
		openID: fmt.Sprintf("o%s%d-%07d", kind, level, i), dedup: fmt.Sprintf("%s:%d:%d", kind, level, i),
		text: text, hash: models.TextHash(text), now: time.Now().UTC().Truncate(time.Second),
	}
}

// payload is a dispatcher's new-case card for case no, as bot.notifyNewCase
// queues it.
func (r rawRows) payload(no string, caseID int64, d int) string {
	return fmt.Sprintf(`{"kind":"card","title":"新问题 %[1]s","text":"%[2]s\n\n交办：交办 %[1]s 单位 [协办 单位]；无效：无效 %[1]s 理由",`+
		`"fields":[{"key":"编号","value":"%[1]s"},{"key":"反映人","value":"群众%05[3]d"},{"key":"受理","value":"2026年11月22日 11:14"},{"key":"建议承办","value":"县城市管理局"}],`+
		`"buttons":[{"key":"交办:%[1]s:cg","text":"交办县城市管理局","style":1}],"task_id":"new_case-%[4]d-abcdef012345","case_no":"%[1]s","url":"http://127.0.0.1:8080/case/%[1]s"}`,
		no, r.text, caseID, d+1)
}

// reply is the acknowledgement of case no.
func (r rawRows) reply(no string) string {
	return bot.Acknowledgement + "\n编号：" + no + "\n一般问题在7个工作日内答复，预计2026年12月1日前答复您（需多个部门办理的可能稍长）。\n查询进度请发送：查询 " + no
}

// rawPlain writes, n times on clients connections (for reports numbered
// from on), the rows one intake
// writes for a new citizen's report, in one plain transaction each, a
// statement per row and a round trip per statement, every row written once
// with its final values: the citizen (upsert), the day's case number
// (upsert), the case, its first event, one dispatcher card per dispatcher in
// the outbox, and the inbound message with its reply. This is how the rows
// would be written without thought for the day's number row, which every
// transaction holds from its second statement to its commit. level keeps
// each run's numbers apart from the others' and from the intake's.
func rawPlain(ctx context.Context, db *sql.DB, driver string, cfg *config.Config, kind string, from, n, clients, dispatchers, level int) (*measurement, error) {
	day := fmt.Sprintf("209912%02d", 2*level+1)
	// The statements that hand a value back: on MySQL as the insert id, on
	// PostgreSQL by RETURNING; one round trip either way.
	citizenSQL := "INSERT INTO citizens (open_id, alias, created_at, last_message_at) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE last_message_at = VALUES(last_message_at)"
	numberSQL := "INSERT INTO case_sequences (day, seq) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE seq = LAST_INSERT_ID(seq + 1)"
	if driver == "postgres" {
		citizenSQL = "INSERT INTO citizens (open_id, alias, created_at, last_message_at) VALUES (?, ?, ?, ?) ON CONFLICT (open_id) DO UPDATE SET last_message_at = EXCLUDED.last_message_at RETURNING id"
		numberSQL = "INSERT INTO case_sequences (day, seq) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET seq = case_sequences.seq + 1 RETURNING seq"
	}
	m, err := run(ctx, n, clients, func(ctx context.Context, i int) error {
		r := newRawRows(kind, level, from+i)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		value := func(q string, args ...any) (int64, error) {
			if driver == "postgres" {
				var v int64
				err := tx.QueryRowContext(ctx, bind(driver, q), args...).Scan(&v)
				return v, err
			}
			res, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				return 0, err
			}
			v, _ := res.LastInsertId()
			return v, nil
		}
		exec := func(q string, args ...any) error {
			_, err := tx.ExecContext(ctx, bind(driver, q), args...)
			return err
		}
		citizen, err := value(citizenSQL, r.openID, fmt.Sprintf("群众%05d", i), r.now, r.now)
		if err != nil {
			return fmt.Errorf("citizen: %w", err)
		}
		// One round trip for the number: the updated value comes back.
		seq, err := value(numberSQL, day)
		if err != nil {
			return fmt.Errorf("case number: %w", err)
		}
		no := fmt.Sprintf("%s%03d", day, max(seq, 1))
		caseSQL := `INSERT INTO cases (no, citizen_id, content, content_hash, status, severity, kind, received_at, ack_due_at, repeats, answer, created_at, updated_at, rating, reopens)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?, '', 0)`
		if driver == "postgres" {
			caseSQL += " RETURNING id"
		}
		caseID, err := value(caseSQL,
			no, citizen, r.text, r.hash, models.StatusReceived, models.SeverityGeneral, cfg.Deadlines.DefaultKind, r.now, r.now.Add(cfg.Deadlines.Acknowledge.D()), r.now, r.now)
		if err != nil {
			return fmt.Errorf("case: %w", err)
		}
		if err := exec(
			`INSERT INTO case_events (case_id, kind, actor_kind, actor_id, actor_name, platform, from_state, to_state, body, created_at)
			 VALUES (?, ?, ?, ?, ?, 'mp', '', ?, ?, ?)`,
			caseID, models.EventReceived, models.ActorCitizen, citizen, models.CitizenAlias(uint64(citizen)), models.StatusReceived, r.text, r.now); err != nil {
			return fmt.Errorf("event: %w", err)
		}
		for d := range dispatchers {
			if err := exec(
				`INSERT INTO outboxes (platform, target, kind, payload, case_id, dedup_key, status, attempts, next_attempt_at, ref, response_code, lease_owner, last_error, created_at, updated_at)
				 VALUES ('wecom', ?, 'new_case', ?, ?, ?, 'pending', 0, ?, ?, '', '', '', ?, ?)`,
				fmt.Sprintf("member:%d", d+1), r.payload(no, caseID, d), caseID, fmt.Sprintf("%s:%d", r.dedup, d), r.now, fmt.Sprintf("new_case-%d-abcdef012345", d+1), r.now, r.now); err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
		}
		if err := exec(
			`INSERT INTO inbound_messages (platform, dedup_key, citizen_id, msg_type, content, outcome, case_id, reply, created_at)
			 VALUES ('mp', ?, ?, 'text', ?, ?, ?, ?, ?)`,
			r.dedup, citizen, r.text, bot.OutcomeCase, caseID, r.reply(no), r.now); err != nil {
			return fmt.Errorf("inbound message: %w", err)
		}
		return tx.Commit()
	})
	if err != nil {
		return nil, fmt.Errorf("bench: plain SQL with %d clients: %w", clients, err)
	}
	return m, nil
}
