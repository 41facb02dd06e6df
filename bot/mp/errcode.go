package mp

// WeChat error codes: what the Official Account API answers and Client
// reads (mptest.FakeAPI answers with the same).
const (
	CodeOK                = 0
	CodeInvalidCredential = 40001 // access_token invalid or not latest
	CodeInvalidGrantType  = 40002
	CodeInvalidOpenID     = 40003
	CodeInvalidMsgType    = 40008
	CodeInvalidAppID      = 40013
	CodeInvalidToken      = 40014 // malformed access_token
	CodeInvalidTemplateID = 40037
	CodeInvalidAppSecret  = 40125
	CodeTokenMissing      = 41001
	CodeTokenExpired      = 42001
	CodeRequireGET        = 43001
	CodeRequirePOST       = 43002
	CodeEmptyPostData     = 44002
	CodeEmptyContent      = 44004
	CodeRateLimited       = 45009 // api freq out of limit
	CodeOutOfWindow       = 45015 // the 48-hour customer-service window
	CodeDataFormat        = 47001
	CodeArgumentInvalid   = 47003 // e.g. a template keyword too long or not the template's
)
