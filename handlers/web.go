package handlers

import "embed"

// webFS holds the pages' templates and assets: the case page, the board and
// the dashboard (the sandbox has its own, in bot/sandbox).
//
//go:embed web
var webFS embed.FS
