package app

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"minsheng/bot/sandbox"
	"minsheng/config"
	"minsheng/handlers"
	"minsheng/models"
)

// startSandbox starts the in-process platform fakes of sandbox mode (server.sandbox)
// and points cfg at them: the Official Account and WeCom, whose missing
// credentials are filled with the sandbox's, and DingTalk too when it is not
// configured. self is the server's own base URL, where the fakes' APIs are
// mounted. Where the fakes live is this function's business alone.
func startSandbox(ctx context.Context, cfg *config.Config, store *models.Store, self string, now func() time.Time, log *slog.Logger) (*sandbox.Server, *sandbox.DingTalk, error) {
	mp := &cfg.MP
	if mp.AppID == "" {
		mp.AppID, mp.AppSecret, mp.Token, mp.EncodingAESKey = sandbox.Credentials()
	}
	sb := sandbox.New(mp.AppID, mp.AppSecret, mp.Token, mp.EncodingAESKey, now)
	mp.APIBase = self + sandbox.MPAPIPath
	wc := &cfg.WeCom
	if wc.CorpID == "" {
		var agent int64
		wc.CorpID, wc.Secret, wc.Token, wc.EncodingAESKey, agent = sandbox.WeComCredentials()
		wc.AgentID = strconv.FormatInt(agent, 10)
	}
	sb.WeCom = sandbox.NewWeCom(wc.CorpID, wc.Secret, wc.Token, wc.EncodingAESKey, wc.AgentIDNumber(), now)
	wc.APIBase = self + sandbox.WeComAPIPath
	for _, m := range cfg.Org.Members {
		sb.WeCom.Fake.AddUsers(m.UserID)
	}
	for _, d := range cfg.Org.Departments {
		if d.WeComRobotKey != "" {
			sb.WeCom.Fake.AddWebhook(d.WeComRobotKey)
			sb.WeCom.Groups[d.Name] = d.WeComRobotKey
		}
	}
	if k := cfg.Org.JointMeeting.WeComRobotKey; k != "" {
		sb.WeCom.Fake.AddWebhook(k)
		sb.WeCom.Groups[cfg.Org.JointMeeting.Name] = k
	}
	log.Warn("sandbox mode: no platform credentials configured; the Official Account and WeCom are simulated in process",
		"page", self+"/sandbox")
	if cfg.DingTalk.Configured() {
		return sb, nil, nil
	}
	dt := &cfg.DingTalk
	dt.AppKey, dt.AppSecret, dt.RobotCode = sandbox.DingTalkCredentials()
	dt.Mode = "http"
	sdt := sandbox.NewDingTalk(dt.AppKey, dt.AppSecret, dt.RobotCode, self, now)
	dt.APIBase, dt.OAPIBase = sdt.APIBase(), sdt.APIBase()
	if err := sdt.Prepare(ctx, store); err != nil {
		return nil, nil, err
	}
	log.Warn("sandbox mode: DingTalk is simulated in process too", "api", dt.APIBase)
	return sb, sdt, nil
}

// mounts are the sandbox's parts the router mounts after its own routes
// (handlers.Mounter); none outside sandbox mode.
func (a *App) mounts() []handlers.Mounter {
	var out []handlers.Mounter
	if a.Sandbox != nil {
		out = append(out, a.Sandbox)
	}
	if a.SandboxDingTalk != nil {
		out = append(out, a.SandboxDingTalk)
	}
	return out
}
