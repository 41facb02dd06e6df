package mp

// AccessToken exposes the client's cached token to the external tests.
var AccessToken = (*Client).accessToken
