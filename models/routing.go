package models

import (
	"context"
	"fmt"
)

// RoutingExample is one routing decision of the office: a case's report and
// the unit it was handed to as lead (交办). Routing suggestions learn from
// them (triage, bot.Routing).
type RoutingExample struct {
	// ID orders the decisions: the lead unit row's id, so a case handed
	// on after a 退回 comes again, later, with its new unit.
	ID      uint64
	Content string
	Unit    string // the department's code
}

// RoutingExamples returns up to limit decisions after the one with id
// after, oldest first: the lead units that stand (a unit that gave the case
// back is not an example of where it belongs).
func (s *Store) RoutingExamples(ctx context.Context, after uint64, limit int) ([]RoutingExample, error) {
	var out []RoutingExample
	err := s.db.WithContext(ctx).Table("case_units AS u").
		Select("u.id AS id, c.content AS content, d.code AS unit").
		Joins("JOIN cases AS c ON c.id = u.case_id").
		Joins("JOIN departments AS d ON d.id = u.department_id").
		Where("u.id > ? AND u.role = ? AND u.active = ?", after, UnitLead, true).
		Order("u.id").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("routing examples after %d: %w", after, err)
	}
	return out, nil
}
