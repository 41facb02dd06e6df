package cli

import (
	"context"

	"minsheng/app"
)

// migrate is `minsheng migrate`: the database schema brought up to date.
func migrate(ctx context.Context, e *env, args []string) error {
	if _, err := parse(e.flags(), args, 0); err != nil {
		return err
	}
	cfg, err := app.LoadConfig(e.config)
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
	e.log.Info("schema up to date", "driver", store.Driver(), "migrations", len(ids), "latest", ids[len(ids)-1])
	return nil
}
