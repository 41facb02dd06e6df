// Package mptest is an in-process fake of the WeChat Official Account API
// (公众号) for tests and the sandbox: FakeAPI answers token, customer-service
// and template sends with WeChat's error codes, keeps the 48-hour window, and
// records what was sent. Production code never imports it.
package mptest
