package tickets

import (
	"fmt"
	"slices"
	"time"
)

// PreferredAgent is the agent a returning caller waits for first: the
// owner of their oldest ticket still being followed, for the configured
// grace. Only a caller number from a trusted network counts: a claimed
// number must not pick an agent. The look-up is in memory.
func (svc *Service) PreferredAgent(caller string, trusted bool) (string, time.Duration) {
	if svc == nil {
		return "", 0
	}
	on, grace := svc.cfg.OwnerRouting()
	if !on || !trusted || caller == "" {
		return "", 0
	}
	owner := svc.Owner(caller)
	if owner == "" {
		return "", 0
	}
	return owner, grace
}

// FaultReport is a fault report filed from the IVR.
type FaultReport struct {
	CallID, Caller, Account, Recording, WorkOrder, Language string
	CallerTrusted                                           bool
}

// FaultCategory is the category of the tickets opened for IVR fault
// reports.
const FaultCategory = "fault"

// FaultFiled opens a fault ticket for a report filed in the IVR, linked to
// the call, the account, the recording and the work order. It does not
// keep the caller waiting: the ticket is opened on a goroutine of its own.
func (svc *Service) FaultFiled(r FaultReport) {
	if svc == nil || !slices.Contains(svc.cfg.TicketCategories(), FaultCategory) {
		return
	}
	open := func() {
		desc := fmt.Sprintf("Fault reported in the IVR (work order %s)", r.WorkOrder)
		if r.Recording != "" {
			desc += "; voice message " + r.Recording
		}
		_, err := svc.Create(NewTicket{
			Category: FaultCategory, Urgency: Normal, Description: desc, Caller: r.Caller, Account: r.Account,
			CallID: r.CallID, Recording: r.Recording, Language: r.Language, WorkOrder: r.WorkOrder, Actor: "ivr",
			CallerTrusted: r.CallerTrusted,
		})
		if err != nil {
			svc.log.Error("fault ticket not opened", "work_order", r.WorkOrder, "err", err)
		}
	}
	if svc.visits.ctx.Err() != nil {
		open() // shutting down: nobody would wait for a goroutine now
		return
	}
	svc.visits.calls.Add(1)
	go func() {
		defer svc.visits.calls.Done()
		open()
	}()
}
