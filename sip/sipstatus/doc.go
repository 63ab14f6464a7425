// Package sipstatus says what SIP answers mean to the server and what it
// answers with: the errors a dial fails with for a far end's final status
// (busy, declined, no answer, any other as a StatusError), which of
// several forks' failures tells most, the reason phrases it sends, the
// reasons a refused call ends with, and why a secure-only number or agent
// refused a request.
//
// It owns these words only. It must not send or parse a message or hold
// a dialog.
package sipstatus
