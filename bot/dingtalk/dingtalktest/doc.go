// Package dingtalktest is an in-process fake of DingTalk (钉钉) for tests and
// the sandbox: FakeServer serves both API hosts and the custom robot
// webhooks with DingTalk's bodies, error codes, signatures and limits, and
// records what was sent. Production code never imports it.
package dingtalktest
