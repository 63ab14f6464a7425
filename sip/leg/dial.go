package leg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/sipstatus"
)

// Dial sends the INVITE req through ua and waits for the final answer,
// answering challenges and reporting responses as opts says. Once ctx
// ends it returns ctx's error at once; the CANCEL and a late answer are
// dealt with in the background. A final failure is the error
// sipstatus.ErrorForStatus gives for its status.
func Dial(ctx context.Context, ua *sipgo.DialogUA, req *sipmsg.Request, opts sipgo.AnswerOptions) (*sipgo.DialogClientSession, error) {
	dlg, err := ua.WriteInvite(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", sipstatus.ErrDialFailed, err)
	}
	answered := make(chan error, 1)
	go func() { answered <- dlg.WaitAnswer(ctx, opts) }()
	select {
	case err = <-answered:
	case <-ctx.Done():
		// sipgo now sends CANCEL and waits for the INVITE's final answer:
		// up to 64*T1 when the far end has gone away. That must hold
		// neither the ringing nor the leg's RTP port.
		go finishCancelled(dlg, answered)
		return nil, ctx.Err()
	}
	if err != nil {
		if res := dlg.InviteResponse; res != nil && res.IsSuccess() {
			go hangUpLateAnswer(dlg)
		}
		var de *sipgo.ErrDialogResponse
		if errors.As(err, &de) {
			return nil, sipstatus.ErrorForStatus(de.Res.StatusCode)
		}
		return nil, err
	}
	return dlg, nil
}

// finishCancelled waits out a cancelled INVITE in the background and hangs
// up the call if the phone answered it after all.
func finishCancelled(dlg *sipgo.DialogClientSession, answered <-chan error) {
	err := <-answered
	if res := dlg.InviteResponse; err == nil || (res != nil && res.IsSuccess()) {
		hangUpLateAnswer(dlg)
		return
	}
	_ = dlg.Close()
}

// hangUpLateAnswer ends a dialog the phone answered just as we cancelled
// it (the 200 crossed our CANCEL): without ACK and BYE the phone would keep
// a call nobody is on.
func hangUpLateAnswer(dlg *sipgo.DialogClientSession) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	_ = dlg.Ack(ctx)
	_ = dlg.Bye(ctx)
	_ = dlg.Close()
}
