package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"minsheng/models"
)

// Inbound is the incoming side of a platform members work on, as Platform is
// its outgoing side: it checks that a callback came from the platform, reads,
// decrypts and parses it into a MemberMessage, and writes the platform's
// answer with the bot's reply. Implementations live in bot/wecom and
// bot/dingtalk; handlers mounts each at POST /callback/<Name> with one
// handler that counts, logs and calls the bot, so a new platform is its
// package, its config block and its entry in the list of inbounds.
type Inbound interface {
	// Name is the platform: the callback route's last segment and the
	// metrics label.
	Name() models.Platform
	// Open authenticates and reads one callback. A request the platform's
	// rules refuse gives a *Rejection; any other error is a failure of ours.
	// w is only for capping the body (http.MaxBytesReader).
	Open(w http.ResponseWriter, r *http.Request) (*Callback, error)
}

// CitizenInbound is the incoming side of a platform citizens write on (the
// Official Account, bot/mp): handlers mounts it at GET and POST
// /callback/<Name> with one handler that counts, logs and calls the bot.
type CitizenInbound interface {
	// Name is the platform: the callback route's last segment and the
	// metrics label.
	Name() models.Platform
	Verifier
	// Serve authenticates and reads one callback, gives its message to
	// handle and answers the platform with the text handle returns ("" for
	// no reply). A request the platform's rules refuse gives a *Rejection
	// before handle runs; another error means the answer failed after it.
	Serve(w http.ResponseWriter, r *http.Request, handle func(context.Context, CitizenMessage) string) error
}

// Verifier is an Inbound whose platform checks the callback URL before use
// (WeCom's echostr): handlers mounts GET /callback/<Name> for it.
type Verifier interface {
	// Verify answers the check: the body to echo, or a *Rejection.
	Verify(r *http.Request) ([]byte, error)
}

// Callback is one callback Inbound.Open accepted.
type Callback struct {
	// Message is the member's message for HandleMember.
	Message MemberMessage
	// Ignore means the callback is nothing for the bot (an event it does
	// not handle): it gets an empty 200 and the metrics count it ignored.
	Ignore bool
	// CountRetry makes the metrics count a platform retry the bot answered
	// from its record as "duplicate" rather than "ok".
	CountRetry bool
	// Answer writes the platform's answer to the callback with the bot's
	// reply, on w or (DingTalk) in the conversation. An error wrapping
	// ErrUnanswered means the reply did not reach the member that way and
	// should go to them 1:1 through the outbox; any other error is a failure
	// to build the answer, answered 500.
	Answer func(ctx context.Context, w http.ResponseWriter, reply MemberReply) error
}

// ErrUnanswered means a reply could not be given in the conversation it
// answers (a DingTalk session webhook that expired or failed).
var ErrUnanswered = errors.New("reply not given in the conversation")

// Rejection is a callback rejected by the platform's rules: a bad signature, a
// stale timestamp, a body too large or not what the platform sends.
type Rejection struct {
	// Status and Body are the HTTP answer.
	Status int
	Body   string
	// Result is the metrics result: unauthenticated, stale, too_large,
	// bad_content_type, malformed.
	Result string
	// Err says why, for the log; nil when the refusal is not worth a line.
	Err error
}

func (r *Rejection) Error() string {
	if r.Err == nil {
		return fmt.Sprintf("callback rejected: %s", r.Result)
	}
	return fmt.Sprintf("callback rejected: %s: %v", r.Result, r.Err)
}

// Unwrap returns why.
func (r *Rejection) Unwrap() error { return r.Err }

// Messages takes the messages of a member platform that do not come as an
// HTTP callback (DingTalk's Stream mode) down the path a callback's take:
// handled by the bot once, answered, counted and logged. handlers.Messages is
// the one the server uses.
type Messages interface {
	// Handle runs cb's message through the bot and answers it. An error
	// means the answer could not be built or given.
	Handle(ctx context.Context, cb *Callback) error
	// Rejected counts a message the platform's package refused, with the
	// metrics result (malformed, …).
	Rejected(platform models.Platform, result string)
}
