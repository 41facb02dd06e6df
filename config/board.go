package config

import (
	"fmt"
	"regexp"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Board is the public reply board (部门回应, /board).
type Board struct {
	// PageSize is how many answered cases one page shows.
	PageSize int `yaml:"page_size"`
	// RateMonths is how many months back the units' reply and satisfaction
	// rates beside the board reach (the cases received in them).
	RateMonths int `yaml:"rate_months"`
	// SearchScan caps the cases a search reads before it matches the masked
	// texts; a search finds the newest matches within it.
	SearchScan int `yaml:"search_scan"`
	// QueryMax caps a search's length in characters.
	QueryMax int `yaml:"query_max"`
	// StatsCache is how long the units' rates are kept before they are
	// computed again (the board is public: many readers, one query).
	StatsCache Duration `yaml:"stats_cache"`
}

// Open311 is the read-only open data (Open311 GeoReport v2, /open311/v2).
type Open311 struct {
	// PageSize is a page's default number of requests; MaxPageSize the
	// most a reader may ask for with page_size.
	PageSize    int `yaml:"page_size"`
	MaxPageSize int `yaml:"max_page_size"`
	// DefaultDays is how many days back requests.json reaches when no
	// start_date or end_date is given (GeoReport v2: 90).
	DefaultDays int `yaml:"default_days"`
}

// Admin is the dispatcher's dashboard (/admin). It is closed unless an
// account is configured or WeCom OAuth is on with a WeCom app.
type Admin struct {
	// Users are the accounts that may sign in with a password, each with a
	// bcrypt hash (minsheng hash-password makes one); never a plaintext.
	Users []AdminUser `yaml:"users"`
	// OAuth lets dispatchers (org.members with role dispatcher) sign in
	// through WeCom when a WeCom app is configured.
	OAuth bool `yaml:"oauth"`
	// SessionSecret signs the dashboard's session cookie and its forms'
	// CSRF tokens (MINSHENG_ADMIN_SECRET); empty: a random one per start.
	SessionSecret string `yaml:"session_secret"`
	// SessionTTL is how long a sign-in lasts.
	SessionTTL Duration `yaml:"session_ttl"`
	// LoginFailures wrong passwords from one client on one account are
	// free; past them each attempt waits twice as long as the last, up to
	// Lockout. Counted per client and account: nobody can lock out another.
	LoginFailures int      `yaml:"login_failures"`
	Lockout       Duration `yaml:"lockout"`
	// OverdueList is how many of the longest-overdue cases the dashboard lists.
	OverdueList int `yaml:"overdue_list"`
	// TrendWeeks is how many weeks the trend chart shows.
	TrendWeeks int `yaml:"trend_weeks"`
	// FailedList is how many failed deliveries the dashboard lists.
	FailedList int `yaml:"failed_list"`
	// PageSize is how many cases one page of the case list shows.
	PageSize int `yaml:"page_size"`
	// ExportMaxDays caps the period of an export and of the per-unit rates.
	ExportMaxDays int `yaml:"export_max_days"`
}

// AdminUser is one dashboard account.
type AdminUser struct {
	Name string `yaml:"name"`
	// PasswordHash is the bcrypt hash of the password ($2a$…).
	PasswordHash string `yaml:"password_hash"`
}

func defaultBoard() Board {
	return Board{PageSize: 20, RateMonths: 12, SearchScan: 2000, QueryMax: 50, StatsCache: Duration(10 * time.Minute)}
}

func defaultOpen311() Open311 { return Open311{PageSize: 50, MaxPageSize: 200, DefaultDays: 90} }

func defaultAdmin() Admin {
	return Admin{
		OAuth: true, SessionTTL: Duration(8 * time.Hour), LoginFailures: 5, Lockout: Duration(15 * time.Minute),
		OverdueList: 20, TrendWeeks: 12, FailedList: 50, PageSize: 50, ExportMaxDays: 366,
	}
}

var adminNameRe = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,32}$`)

// validateBoard checks board.*, open311.* and admin.*.
func (c *Config) validateBoard() error {
	bad := func(key, why string) error { return fmt.Errorf("%s: %s", key, why) }
	b := c.Board
	for key, v := range map[string][3]int{
		"board.page_size":       {b.PageSize, 1, 200},
		"board.rate_months":     {b.RateMonths, 1, 60},
		"board.search_scan":     {b.SearchScan, 1, 100000},
		"board.query_max":       {b.QueryMax, 1, 200},
		"open311.page_size":     {c.Open311.PageSize, 1, 1000},
		"open311.max_page_size": {c.Open311.MaxPageSize, 1, 1000},
		"open311.default_days":  {c.Open311.DefaultDays, 1, 3660},
		"admin.login_failures":  {c.Admin.LoginFailures, 1, 100},
		"admin.overdue_list":    {c.Admin.OverdueList, 0, 500},
		"admin.trend_weeks":     {c.Admin.TrendWeeks, 1, 104},
		"admin.failed_list":     {c.Admin.FailedList, 0, 1000},
		"admin.page_size":       {c.Admin.PageSize, 1, 1000},
		"admin.export_max_days": {c.Admin.ExportMaxDays, 1, 3660},
	} {
		if v[0] < v[1] || v[0] > v[2] {
			return bad(key, fmt.Sprintf("%d: must be %d to %d", v[0], v[1], v[2]))
		}
	}
	if c.Open311.PageSize > c.Open311.MaxPageSize {
		return bad("open311.page_size", "must not be above open311.max_page_size")
	}
	for key, v := range map[string]time.Duration{
		"board.stats_cache": b.StatsCache.D(), "admin.session_ttl": c.Admin.SessionTTL.D(), "admin.lockout": c.Admin.Lockout.D(),
	} {
		if v <= 0 {
			return bad(key, "must be a positive duration")
		}
	}
	seen := map[string]bool{}
	for i, u := range c.Admin.Users {
		key := fmt.Sprintf("admin.users[%d]", i)
		if !adminNameRe.MatchString(u.Name) {
			return bad(key+".name", fmt.Sprintf("%q: letters, digits, _ . @ -, up to 32", u.Name))
		}
		if seen[u.Name] {
			return bad(key+".name", fmt.Sprintf("%q is listed twice", u.Name))
		}
		seen[u.Name] = true
		if _, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil {
			return bad(key+".password_hash", "must be a bcrypt hash ($2a$…), never the password itself: make one with `minsheng hash-password`")
		}
	}
	return nil
}
