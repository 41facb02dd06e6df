package cli

import (
	"context"
	"log/slog"

	"minsheng/app"
)

// serve is `minsheng [serve]`: the server, until SIGINT or SIGTERM.
func serve(ctx context.Context, path string, log *slog.Logger) error {
	cfg, err := app.LoadConfig(path)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, app.WithLogger(log))
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}
