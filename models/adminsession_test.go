package models_test

import (
	"context"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

func TestRevokeSession(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		now := s.Now()
		if got, err := s.SessionRevoked(ctx, "n1"); err != nil || got {
			t.Fatalf("SessionRevoked(n1) before = %v, %v; want false", got, err)
		}
		modeltest.Must(t, s.RevokeSession(ctx, "n1", now.Add(time.Hour)), "revoke")
		modeltest.Must(t, s.RevokeSession(ctx, "n1", now.Add(time.Hour)), "revoke again")
		modeltest.Must(t, s.RevokeSession(ctx, "n-old", now.Add(-time.Minute)), "revoke expired")
		if got, err := s.SessionRevoked(ctx, "n1"); err != nil || !got {
			t.Errorf("SessionRevoked(n1) = %v, %v; want true", got, err)
		}
		if got, _ := s.SessionRevoked(ctx, "n2"); got {
			t.Error("SessionRevoked(n2) = true; want false, never revoked")
		}
		modeltest.Must(t, s.RevokeSession(ctx, "n3", now.Add(time.Hour)), "revoke n3")
		var n int64
		s.DB().Model(&models.RevokedSession{}).Where("nonce = ?", "n-old").Count(&n)
		if n != 0 {
			t.Errorf("an expired revocation is still kept")
		}
	})
}
