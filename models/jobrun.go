package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Job run statuses.
const (
	JobRunning = "running"
	JobOK      = "ok"
	JobFailed  = "failed"
)

// JobRun is one occurrence of a named background job. The unique
// (job, occurrence) key makes an occurrence run once however many server
// instances share the database: the instance whose row goes in runs it, the
// others skip it. Occurrence is the scheduled time truncated to the
// schedule's granularity ("2026-11-23T09:00"), or "manual@<time>" for a run
// an operator asked for.
type JobRun struct {
	ID         uint64 `gorm:"primaryKey"`
	Job        string `gorm:"size:64;not null;uniqueIndex:idx_jobrun_occurrence,priority:1;index:idx_jobrun_status,priority:1"`
	Occurrence string `gorm:"size:64;not null;uniqueIndex:idx_jobrun_occurrence,priority:2"`
	// Owner names the server instance that ran it.
	Owner  string `gorm:"size:64;not null"`
	Status string `gorm:"size:16;not null;index:idx_jobrun_status,priority:2"`
	// StartedAt is the "now" the run was given; EndedAt when it returned.
	StartedAt time.Time `gorm:"not null"`
	EndedAt   *time.Time
	// Error is what the run returned, for the operator; empty on success.
	Error string `gorm:"type:text"`
}

// idxUnitStateCreated serves the scan for assignments not accepted in time.
const idxUnitStateCreated = "idx_unit_state_created"

func init() {
	register(&gormigrate.Migration{
		ID: "202611220003_jobs",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&JobRun{}); err != nil {
				return fmt.Errorf("create job_runs: %w", err)
			}
			// The deadline ladder's idempotency key on 督办 records.
			if !tx.Migrator().HasColumn(&Supervision{}, "ChaseKey") {
				if err := tx.Migrator().AddColumn(&Supervision{}, "ChaseKey"); err != nil {
					return fmt.Errorf("add supervisions.chase_key: %w", err)
				}
			}
			if !tx.Migrator().HasIndex(&Supervision{}, idxSupervisionChase) {
				if err := tx.Migrator().CreateIndex(&Supervision{}, idxSupervisionChase); err != nil {
					return fmt.Errorf("create index %s: %w", idxSupervisionChase, err)
				}
			}
			if !tx.Migrator().HasIndex(&CaseUnit{}, idxUnitStateCreated) {
				err := tx.Exec("CREATE INDEX " + idxUnitStateCreated + " ON case_units (state, active, created_at)").Error
				if err != nil {
					return fmt.Errorf("create index %s: %w", idxUnitStateCreated, err)
				}
			}
			return nil
		},
	})
}

// StartJobRun claims occurrence of job for owner, with now as its start. It
// returns ErrDuplicate when the occurrence was already claimed, by this
// instance or another: the caller must then skip it.
func (s *Store) StartJobRun(ctx context.Context, job, occurrence, owner string, now time.Time) (*JobRun, error) {
	if job == "" || occurrence == "" {
		return nil, errors.New("start job run: job and occurrence are required")
	}
	r := &JobRun{Job: job, Occurrence: occurrence, Owner: owner, Status: JobRunning, StartedAt: now.UTC().Truncate(time.Second)}
	if err := s.db.WithContext(ctx).Create(r).Error; err != nil {
		return nil, fmt.Errorf("start job %s@%s: %w", job, occurrence, translate(err))
	}
	return r, nil
}

// FinishJobRun records the end of run r at end, failed if runErr is set.
// It returns ErrNotFound if r is not in the store.
func (s *Store) FinishJobRun(ctx context.Context, r *JobRun, end time.Time, runErr error) error {
	end = end.UTC().Truncate(time.Second)
	r.EndedAt, r.Status, r.Error = &end, JobOK, ""
	if runErr != nil {
		r.Status, r.Error = JobFailed, runErr.Error()
	}
	res := s.db.WithContext(ctx).Model(&JobRun{}).Where("id = ?", r.ID).
		Updates(map[string]any{"ended_at": end, "status": r.Status, "error": r.Error})
	if res.Error != nil {
		return fmt.Errorf("finish job %s@%s: %w", r.Job, r.Occurrence, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("finish job %s@%s: %w", r.Job, r.Occurrence, ErrNotFound)
	}
	return nil
}

// LastJobRuns returns the newest run of each job that has run, by job name.
// It returns no sentinel error.
func (s *Store) LastJobRuns(ctx context.Context) (map[string]JobRun, error) {
	var rows []JobRun
	err := s.db.WithContext(ctx).
		Where("id IN (?)", s.db.Model(&JobRun{}).Select("MAX(id)").Group("job")).
		Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("last job runs: %w", err)
	}
	out := make(map[string]JobRun, len(rows))
	for _, r := range rows {
		out[r.Job] = r
	}
	return out, nil
}

// LastJobSuccess returns the newest run of job that ended without error;
// ErrNotFound if there is none.
func (s *Store) LastJobSuccess(ctx context.Context, job string) (*JobRun, error) {
	var r JobRun
	err := s.db.WithContext(ctx).Where("job = ? AND status = ?", job, JobOK).Order("id DESC").First(&r).Error
	if err != nil {
		return nil, fmt.Errorf("last successful run of %s: %w", job, translate(err))
	}
	return &r, nil
}

// JobRuns lists the runs of job, newest first, at most limit. It returns no
// sentinel error.
func (s *Store) JobRuns(ctx context.Context, job string, limit int) ([]JobRun, error) {
	var out []JobRun
	if err := s.db.WithContext(ctx).Where("job = ?", job).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("runs of job %s: %w", job, err)
	}
	return out, nil
}
