// Package sandbox lets a person try the whole product with no platform
// account: the page /sandbox where one plays a citizen on a phone and
// officers on WeCom or DingTalk, the platforms' fakes (bot/<platform>/
// <platform>test) mounted under /sandbox/*-api for the delivery job to talk
// to, and drivers that post every message through the server's real callback
// routes, signed and encrypted as the platforms would. The server mounts it
// through handlers.Mounter only when sandbox mode is on; the handlers never
// import it.
package sandbox
