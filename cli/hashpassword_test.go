package cli

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHashPassword(t *testing.T) {
	var out bytes.Buffer
	if err := hashFrom(strings.NewReader("correct-horse-battery\n"), &out); err != nil {
		t.Fatalf("hashPassword = %v", err)
	}
	m := regexp.MustCompile(`password_hash: "(\$2a\$\d\d\$[./A-Za-z0-9]{53})"`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("hashPassword printed %q; want a password_hash line", out.String())
	}
	if err := bcrypt.CompareHashAndPassword([]byte(m[1]), []byte("correct-horse-battery")); err != nil {
		t.Errorf("the printed hash does not match the password: %v", err)
	}
	for _, bad := range []string{"short\n", "", strings.Repeat("x", 80) + "\n"} {
		if err := hashFrom(strings.NewReader(bad), io.Discard); err == nil {
			t.Errorf("hashFrom(%q) = nil; want it refused", bad)
		}
	}
}
