package models

import (
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// TestMySQLDSNTimeouts: a DSN without driver timeouts gets them, so that a
// database that accepts and never answers cannot hold a connection for
// ever; a DSN's own timeouts are kept.
func TestMySQLDSNTimeouts(t *testing.T) {
	tests := []struct {
		dsn                 string
		dial, read, written time.Duration
	}{
		{"root@tcp(127.0.0.1:3306)/ms", DefaultDialTimeout, DefaultIOTimeout, DefaultIOTimeout},
		{"root@tcp(127.0.0.1:3306)/ms?timeout=1s&readTimeout=2m&writeTimeout=5s", time.Second, 2 * time.Minute, 5 * time.Second},
	}
	for _, tt := range tests {
		d, err := mysqlDSN(tt.dsn)
		if err != nil {
			t.Fatalf("mysqlDSN(%q): %v", tt.dsn, err)
		}
		c, err := mysql.ParseDSN(d)
		if err != nil {
			t.Fatalf("ParseDSN(%q): %v", d, err)
		}
		if c.Timeout != tt.dial || c.ReadTimeout != tt.read || c.WriteTimeout != tt.written {
			t.Errorf("mysqlDSN(%q) timeouts = %v, %v, %v; want %v, %v, %v", tt.dsn, c.Timeout, c.ReadTimeout, c.WriteTimeout, tt.dial, tt.read, tt.written)
		}
	}
}
