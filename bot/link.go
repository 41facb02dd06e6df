package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"minsheng/models"
)

// LinkSettings sign the links to the case page (/case/<no>) that cards
// carry: each member's card links with a token naming that member, the case
// and an expiry, signed with HMAC-SHA256. Anyone holding the link acts as
// that member on that case's page until it expires, so it is only ever put
// in a message to that member.
type LinkSettings struct {
	// Secret keys the signatures (server.link_secret or MINSHENG_LINK_SECRET).
	// Empty leaves links unsigned: the page then identifies the viewer by
	// WeCom OAuth only.
	Secret []byte
	// TTL is how long a signed link works (server.link_ttl).
	TTL time.Duration
}

// Link errors.
var (
	// ErrLinkInvalid means the token is malformed, for another case, or its
	// signature does not match: a tampered or made-up link.
	ErrLinkInvalid = errors.New("case link invalid")
	// ErrLinkExpired means the token was genuine but is too old.
	ErrLinkExpired = errors.New("case link expired")
)

// mac is HMAC-SHA256 over the parts, kept apart by NUL bytes and led by a
// purpose so a signature made for one use never passes for another.
func mac(secret []byte, purpose string, parts ...string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(purpose))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return h.Sum(nil)
}

// Sign returns the token that lets member memberID open case no until exp:
// "<member id>.<unix expiry>.<signature>".
func (l LinkSettings) Sign(memberID uint64, no string, exp time.Time) string {
	id, e := strconv.FormatUint(memberID, 10), strconv.FormatInt(exp.Unix(), 10)
	sig := base64.RawURLEncoding.EncodeToString(mac(l.Secret, "minsheng/case-link", id, no, e))
	return id + "." + e + "." + sig
}

// Verify checks a token for case no at now and returns the member it names.
// It returns ErrLinkInvalid for a bad signature or a token of another case,
// ErrLinkExpired for a genuine token past its expiry.
func (l LinkSettings) Verify(token, no string, now time.Time) (uint64, error) {
	if len(l.Secret) == 0 {
		return 0, fmt.Errorf("%w: links are not signed on this server", ErrLinkInvalid)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return 0, ErrLinkInvalid
	}
	id, err1 := strconv.ParseUint(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || id == 0 {
		return 0, ErrLinkInvalid
	}
	if !hmac.Equal(sig, mac(l.Secret, "minsheng/case-link", parts[0], no, parts[1])) {
		return 0, ErrLinkInvalid
	}
	if !now.Before(time.Unix(exp, 0)) {
		return 0, ErrLinkExpired
	}
	return id, nil
}

// LinkParam is the query parameter of the case page that carries the token.
const LinkParam = "t"

// ForRecipient signs the case-page link of a message for the member it goes
// to, at send time, so the outbox never holds a token and the link's life
// starts when it is delivered. Messages to groups, citizens and links to
// anything else are returned unchanged. The delivery job calls it.
func (b *Bot) ForRecipient(o models.Outbox, out Outgoing) Outgoing {
	l := b.Settings.Links
	to, err := models.ParseTarget(o.Target)
	if err != nil || to.Kind != models.TargetMember || len(l.Secret) == 0 || out.URL == "" || out.CaseNo == "" || out.URL != b.caseURL(out.CaseNo) {
		return out
	}
	exp := b.Store.Now().Add(l.TTL)
	out.URL += "?" + LinkParam + "=" + url.QueryEscape(l.Sign(to.ID, out.CaseNo, exp))
	return out
}
