package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"minsheng/config"
	"minsheng/jobs"
	"minsheng/models"
)

// LoadConfig reads the configuration as every command does: config.Load
// (the file MINSHENG_CONFIG names, else path), then the names under jobs:
// checked against the job table.
func LoadConfig(path string) (*config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckJobNames(jobs.Names()); err != nil {
		if p := os.Getenv(config.EnvFile); p != "" {
			path = p
		}
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// OpenStore opens the database of cfg, creating the directory of an
// embedded SQLite file. The schema is not touched: see models.Store.Migrate.
func OpenStore(cfg *config.Config) (*models.Store, error) {
	if cfg.Database.Driver == "sqlite" {
		if dir := filepath.Dir(cfg.Database.DSN); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("database.dsn: create %s: %w", dir, err)
			}
		}
	}
	s, err := models.Open(cfg.Database.Driver, cfg.Database.DSN, cfg.Location)
	if err != nil {
		return nil, err
	}
	s.SetPool(cfg.Database.MaxOpenConns, cfg.Database.MaxIdleConns)
	return s, nil
}

// SyncOrg writes the departments and members of cfg (org.*) into store, as
// the server does at start: who is gone is deactivated, not deleted.
func SyncOrg(ctx context.Context, cfg *config.Config, store *models.Store) error {
	var deps []models.Department
	for _, d := range cfg.Org.Departments {
		deps = append(deps, models.Department{
			Code: d.Code, Name: d.Name, Keywords: strings.Join(d.Keywords, ","), Platform: orWeCom(d.Platform),
			WeComRobotKey: d.WeComRobotKey, DingTalkWebhook: d.DingTalkWebhook, DingTalkSecret: d.DingTalkSecret,
		})
	}
	var members []models.Member
	var memberDept []string
	for _, m := range cfg.Org.Members {
		members = append(members, models.Member{Name: m.Name, UserID: m.UserID, Platform: orWeCom(m.Platform), Role: models.Role(m.Role), Unit: strings.TrimSpace(m.Unit)})
		memberDept = append(memberDept, m.Department)
	}
	if err := store.SyncOrg(ctx, deps, members, memberDept); err != nil {
		return fmt.Errorf("org: %w", err)
	}
	return nil
}

// orWeCom is a department's or member's platform: WeCom unless set.
func orWeCom(platform string) models.Platform {
	if platform == "" {
		return models.PlatformWeCom
	}
	return models.Platform(platform)
}
