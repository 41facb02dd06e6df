package cli

import (
	"context"
	"fmt"
	"net"

	"minsheng/app"
)

// serve is `minsheng [serve]`: the server, until SIGINT or SIGTERM. It
// binds server.addr first, so a busy port fails before anything migrates or
// starts.
func serve(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	cfg, err := app.LoadConfig(e.config)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (server.addr, or MINSHENG_SERVER_ADDR=host:port): %w", cfg.Server.Addr, err)
	}
	a, err := app.New(ctx, cfg, app.WithLogger(e.log), app.WithListener(ln))
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}
