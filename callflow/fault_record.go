package callflow

import (
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/selfservice"
)

// startRecording installs the recorder on the caller's stream and waits in
// the background for the end of the message.
func (l *serviceLeg) startRecording(a interp.StartRecording) {
	if l.rec != nil {
		l.rec.Stop()
	}
	rec := selfservice.NewVoiceRecorder(l.c.Codec(), a.MaxDuration)
	l.rec = rec
	l.Stream().SetAudioSink(rec.Push)
	l.background(func() interp.Event {
		l.awaitEnd(rec, a)
		l.Stream().SetAudioSink(nil)
		return l.saveRecording(rec, a.ID)
	})
}

func (l *serviceLeg) stopRecording(id uint64) {
	if l.rec != nil {
		l.rec.Stop()
	}
}

// awaitEnd returns when the message is over: the terminator (stop), the
// length limit, end silence after speech, or the call ending.
func (l *serviceLeg) awaitEnd(rec *selfservice.VoiceRecorder, a interp.StartRecording) {
	limit := time.NewTimer(a.MaxDuration)
	defer limit.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-rec.Stopped():
			return
		case <-rec.Full():
			return
		case <-limit.C:
			return
		case <-l.ctx.Done():
			return
		case <-l.Stopped():
			return
		case <-tick.C:
			if a.EndSilence > 0 && rec.QuietFor(l.f.d.Clock.Now(), a.EndSilence) {
				return
			}
		}
	}
}

// saveRecording keeps the message with the self-service feature, which
// names the file after the time and the call.
func (l *serviceLeg) saveRecording(rec *selfservice.VoiceRecorder, id uint64) interp.Event {
	pcm := rec.Samples()
	d := time.Duration(len(pcm)) * time.Second / rtpcodec.ClockRate
	done := interp.RecordingDone{ID: id, Duration: d}
	if len(pcm) == 0 {
		return done
	}
	name, err := l.f.d.Self.SaveFaultMessage(l.c.ID, pcm)
	if err != nil {
		l.c.Logger().Error("fault message not saved", "err", err)
		return done
	}
	done.File = name
	l.c.Logger().Info("fault message recorded", "file", name, "seconds", d.Seconds())
	return done
}

// fileFault files one report and announces it (FaultReported, which
// webhooks subscribed to fault_reported deliver with their retries).
func (l *serviceLeg) fileFault(a interp.FileFaultReport) interp.Event {
	number, err := l.f.d.Self.FileFault(l.ctx, l.c.Logger(), selfservice.FaultReport{
		Account: a.Account, Caller: l.c.Caller, CallID: l.c.ID, Recording: a.File,
	})
	if err != nil {
		l.c.Logger().Error("fault report not filed", "err", err)
		return interp.FaultReportFiled{ID: a.ID}
	}
	ev := l.base
	ev.Kind, ev.Time, ev.Detail = call.FaultReported, l.f.d.Clock.Now(), number
	l.f.d.Publish(ev)
	l.c.Logger().Info("fault report filed", "work_order", number, "recording", a.File)
	if l.f.d.FaultFiled != nil {
		l.f.d.FaultFiled(FaultFiled{
			CallID: l.c.ID, Caller: l.c.Caller, Account: a.Account, Recording: a.File, WorkOrder: number,
			Language: ev.Language, CallerTrusted: l.c.CallerTrusted,
		})
	}
	return interp.FaultReportFiled{ID: a.ID, Number: number}
}
