package dingtalk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/open-dingtalk/dingtalk-stream-sdk-go/chatbot"
	"github.com/open-dingtalk/dingtalk-stream-sdk-go/client"
	sdklog "github.com/open-dingtalk/dingtalk-stream-sdk-go/logger"

	"minsheng/bot"
	"minsheng/models"
)

// errStreamClosed refuses a Stream message that arrives while the server
// shuts down; DingTalk delivers it again once a connection takes it.
var errStreamClosed = errors.New("dingtalk stream: shutting down")

// Stream receives the robot's messages over DingTalk's Stream mode
// (dingtalk.mode: stream): this server opens a websocket to DingTalk's
// gateway with the app's credentials, so it needs no public address. Each
// message takes the same path as one posted to /callback/dingtalk after its
// signature check (the connection itself is authenticated): read by Inbound,
// handed to Messages, handled once by msgId, answered through its session
// webhook.
//
// It uses github.com/open-dingtalk/dingtalk-stream-sdk-go for the
// connection; OnMessage is the handler it registers.
type Stream struct {
	// AppKey and AppSecret are the app's credentials; APIBase is where the
	// gateway's connections/open lives (dingtalk.api_base).
	AppKey, AppSecret, APIBase string
	// Retry is the wait between attempts to connect (dingtalk.stream_retry).
	Retry  time.Duration
	Logger *slog.Logger
	// Inbound reads each message as a callback would be read.
	Inbound *Inbound
	// Messages takes each message on: the same handling, counting and
	// logging as a callback's (handlers.Messages).
	Messages bot.Messages

	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup
}

func (s *Stream) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// OnMessage handles one robot message from the Stream gateway: it is the
// chatbot handler registered with the SDK, and what tests call. It answers
// through the message's session webhook and returns no data; an error makes
// DingTalk deliver the message again later, which happens only for a message
// that is not one (no msgId or sender) or that arrives during shutdown.
func (s *Stream) OnMessage(ctx context.Context, data *chatbot.BotCallbackDataModel) ([]byte, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errStreamClosed
	}
	s.inflight.Add(1)
	s.mu.Unlock()
	defer s.inflight.Done()

	if data == nil {
		s.Messages.Rejected(models.PlatformDingTalk, "malformed")
		return nil, fmt.Errorf("dingtalk stream: %w: empty message", ErrMalformed)
	}
	// The SDK decoded DingTalk's JSON into its own model, with the same
	// field names: encode it again and read it as a callback, so that both
	// modes check a message the same way.
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("dingtalk stream: encode message: %w", err)
	}
	msg, err := ParseMessage(raw)
	if err != nil {
		s.Messages.Rejected(models.PlatformDingTalk, "malformed")
		s.logger().WarnContext(ctx, "dingtalk stream message rejected", "platform", models.PlatformDingTalk, "err", err)
		return nil, err
	}
	if err := s.Messages.Handle(ctx, s.Inbound.Callback(msg)); err != nil {
		s.logger().ErrorContext(ctx, "dingtalk stream: answer not given", "platform", models.PlatformDingTalk, "err", err)
	}
	return nil, nil
}

// Run connects to the gateway, retrying every Retry until it succeeds
// (after which the SDK reconnects by itself), and receives messages until
// ctx ends; then it closes the connection and waits for the messages being
// handled. It returns nil after a clean stop, and an error only for a
// configuration that cannot work.
func (s *Stream) Run(ctx context.Context) error {
	if s.AppKey == "" || s.AppSecret == "" {
		return errors.New("dingtalk.mode stream: dingtalk.app_key and dingtalk.app_secret must be set")
	}
	retry := s.Retry
	if retry <= 0 {
		retry = 10 * time.Second
	}
	opts := []client.ClientOption{client.WithAppCredential(client.NewAppCredentialConfig(s.AppKey, s.AppSecret))}
	if s.APIBase != "" {
		opts = append(opts, client.WithOpenApiHost(s.APIBase))
	}
	sdklog.SetLogger(sdkLogger{s.logger()})
	cli := client.NewStreamClient(opts...)
	cli.RegisterChatBotCallbackRouter(s.OnMessage)
	for {
		err := cli.Start(ctx)
		if err == nil {
			break
		}
		s.logger().Warn("dingtalk stream: cannot connect to the gateway; retrying", "platform", models.PlatformDingTalk, "retry_in", retry, "err", err)
		t := time.NewTimer(retry)
		select {
		case <-ctx.Done():
			t.Stop()
			s.shut()
			return nil
		case <-t.C:
		}
	}
	s.logger().Info("dingtalk stream connected", "platform", models.PlatformDingTalk)
	<-ctx.Done()
	// The SDK reconnects whenever its connection ends unless told not to.
	cli.AutoReconnect = false
	cli.Close()
	s.shut()
	s.logger().Info("dingtalk stream closed", "platform", models.PlatformDingTalk)
	return nil
}

// shut refuses further messages and waits for those being handled.
func (s *Stream) shut() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.inflight.Wait()
}

// sdkLogger passes the SDK's connection news to slog. Its debug lines, which
// dump every frame on the wire, are dropped.
type sdkLogger struct{ l *slog.Logger }

func (g sdkLogger) Debugf(string, ...any) {}

func (g sdkLogger) Infof(format string, args ...any) {
	if strings.Contains(format, "sessionId") {
		// "connect success, sessionId=[…]": the id is the connection's ticket.
		g.l.Info("dingtalk stream: connected", "platform", models.PlatformDingTalk)
		return
	}
	g.l.Info("dingtalk stream: "+fmt.Sprintf(format, args...), "platform", models.PlatformDingTalk)
}

func (g sdkLogger) Warningf(format string, args ...any) {
	g.l.Warn("dingtalk stream: "+fmt.Sprintf(format, args...), "platform", models.PlatformDingTalk)
}

func (g sdkLogger) Errorf(format string, args ...any) {
	g.l.Warn("dingtalk stream: "+fmt.Sprintf(format, args...), "platform", models.PlatformDingTalk)
}

// Fatalf is logged as an error; the SDK never calls it, and it must not end
// the process.
func (g sdkLogger) Fatalf(format string, args ...any) {
	g.l.Error("dingtalk stream: "+fmt.Sprintf(format, args...), "platform", models.PlatformDingTalk)
}
