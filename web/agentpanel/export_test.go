package agentpanel

// The panel's cookie and its one answer to a failed login, for the tests.
const (
	PanelCookie = panelCookie
	LoginFailed = loginFailed
)
