// Package mp speaks the WeChat Official Account (公众号) protocol: the
// signatures and AES-256-CBC message encryption of the callback URL
// (WXBizMsgCrypt), parsing of the callback XML, passive replies, a Client for
// the customer-service (客服) and template message APIs, and two fakes for
// tests, the sandbox and load tests: Driver plays WeChat's servers toward our
// callback URL, and FakeAPI plays the Official Account HTTP API.
//
// Nothing here logs, and no error text carries an openid, an access token or
// a secret.
package mp
