package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// hashPassword reads a password from in (one line) and writes its bcrypt
// hash, for admin.users[].password_hash.
func hashPassword(_ context.Context, e *env, args []string) error {
	if _, err := parse(e.flags(), args, 0); err != nil {
		return err
	}
	return hashFrom(e.stdin, e.stdout)
}

// hashFrom reads the password from in and writes its hash to out.
func hashFrom(in io.Reader, out io.Writer) error {
	fmt.Fprintln(out, "输入工作台账号的密码（至少 10 个字符），回车结束：")
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("hash-password: read the password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if len([]rune(pw)) < 10 {
		return errors.New("hash-password: the password must have at least 10 characters")
	}
	if len(pw) > 72 {
		return errors.New("hash-password: the password must be at most 72 bytes (bcrypt)")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash-password: %w", err)
	}
	fmt.Fprintf(out, "password_hash: %q\n", string(h))
	return nil
}
