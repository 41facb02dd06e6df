package cli

import (
	"context"
	"log/slog"

	"minsheng/app"
)

// migrate is `minsheng migrate`: the database schema brought up to date.
func migrate(ctx context.Context, path string, log *slog.Logger) error {
	cfg, err := app.LoadConfig(path)
	if err != nil {
		return err
	}
	store, err := app.OpenStore(cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	ids, err := store.MigrationIDs(ctx)
	if err != nil {
		return err
	}
	log.Info("schema up to date", "driver", store.Driver(), "migrations", len(ids), "latest", ids[len(ids)-1])
	return nil
}
