package models

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// LatestProgress returns the newest 进展 recorded on k whose body starts
// with prefix (the unit's role, "牵头："), or nil when there is none.
func (tx *Tx) LatestProgress(k *Case, prefix string) (*CaseEvent, error) {
	var e CaseEvent
	err := tx.db.Where("case_id = ? AND kind = ? AND body LIKE ?", k.ID, EventProgress, prefix+"%").Order("id DESC").First(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest progress of case %s: %w", k.No, err)
	}
	return &e, nil
}
