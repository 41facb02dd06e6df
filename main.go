// Command minsheng is the 民声 bot server: citizens report through the WeChat
// Official Account, departments handle cases in WeCom or DingTalk.
//
//	minsheng [serve]   start the server (the default)
//	minsheng migrate   bring the database schema up to date and exit
//	minsheng bench     measure this machine against MariaDB (cli/bench.go)
//	minsheng run-job <name>  run one background job once, now (cli/runjob.go)
//	minsheng jobs      list the background jobs, their schedules and last runs
//	minsheng report [--month 2026-11] [-o file.xlsx]  a month's 月报 on demand (cli/report.go)
//	minsheng hash-password  read a password, print its bcrypt hash for admin.users (cli/hashpassword.go)
//
// The configuration is config.yaml, or the file MINSHENG_CONFIG names. The
// commands live in package cli, one file each; the server is built by
// package app.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"minsheng/cli"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], log)
	stop()
	os.Exit(code)
}
