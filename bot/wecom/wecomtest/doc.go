// Package wecomtest is an in-process fake of WeCom (企业微信) for tests and
// the sandbox: FakeServer answers the API the wecom adapter calls with
// WeCom's JSON bodies, error codes, limits and token rules, and records what
// was sent. Production code never imports it.
package wecomtest
