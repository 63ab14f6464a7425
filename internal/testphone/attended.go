package testphone

import (
	"context"
	"errors"
)

// ErrBadReplaces means a Replaces lacks its Call-ID or one of its tags.
var ErrBadReplaces = errors.New("testphone: replaces needs a call id and both tags")

// ReferReplacing asks for an attended transfer to target that names the
// dialog to replace by its raw identifiers (RFC 3891 Replaces), as a phone
// does whose view of that dialog is stale, or one probing the server. Use
// ReferReplaces to name one of this phone's calls.
func (c *Call) ReferReplacing(ctx context.Context, target, callID, toTag, fromTag string) (int, error) {
	if callID == "" || toTag == "" || fromTag == "" {
		return 0, ErrBadReplaces
	}
	replaces := callID + ";to-tag=" + toTag + ";from-tag=" + fromTag
	return c.sendRefer(ctx, "<"+c.phone.referURI(target)+"?Replaces="+escapeHeaderValue(replaces)+">")
}

// LocalTag is this phone's tag in the call's dialog; RemoteTag the
// server's. An attended transfer names a dialog by both.
func (c *Call) LocalTag() string { return c.info.localTag }

// RemoteTag is the server's tag in the call's dialog.
func (c *Call) RemoteTag() string { return c.info.remoteTag }
