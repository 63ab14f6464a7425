package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// WorkOrderService names the service (under services:) that receives
// fault reports and may answer with its own work-order number.
const WorkOrderService = "work_orders"

// WorkOrderRequest is the JSON a work-order receiver gets, signed like a
// webhook (X-Hotline-Signature) and sent with X-Hotline-Event:
// work_order.
type WorkOrderRequest struct {
	Account   string    `json:"account"`
	Caller    string    `json:"caller"`
	CallID    string    `json:"call_id"`
	Recording string    `json:"recording"`     // file name, see GET /api/v1/faults/{file}
	URL       string    `json:"recording_url"` // path of the download on the API
	Time      time.Time `json:"time"`
}

// WorkOrderAnswer is the receiver's optional answer.
type WorkOrderAnswer struct {
	WorkOrder string `json:"work_order"`
}

// externalNumber is what a receiver's number may look like: it is read
// back to the caller and kept in the store.
var externalNumber = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,31}$`)

// faultDesk files fault reports: it keeps the recordings, asks the
// receiver for a work-order number and falls back to a local one.
type faultDesk struct {
	s       *Server
	dir     string
	svc     *config.Service // nil: numbers are local only
	secret  []byte
	client  *http.Client
	nextSeq atomic.Int64 // local numbers when there is no store
}

func newFaultDesk(s *Server) (*faultDesk, error) {
	d := &faultDesk{s: s, dir: filepath.Join(s.cfg.DataDir, "faults"), client: &http.Client{}}
	if err := os.MkdirAll(d.dir, 0o750); err != nil {
		return nil, err
	}
	if svc, ok := s.cfg.Services[WorkOrderService]; ok {
		svc = svc.WithDefaults()
		d.svc, d.secret = &svc, []byte(svc.SecretValue())
	}
	return d, nil
}

// faultPromptNames are the prompts a fault_report node reads the number with.
func faultPromptNames() []string {
	names := []string{ivr.PromptWorkOrderIs}
	for d := '0'; d <= '9'; d++ {
		names = append(names, "digit_"+string(d))
	}
	return names
}

// fileFault files one report and announces it (FaultReported, which
// webhooks subscribed to fault_reported deliver with their retries).
func (l *serviceLeg) fileFault(a ivr.FileFaultReport) ivr.Event {
	d := l.s.self.faults
	now := l.s.clock.Now()
	req := WorkOrderRequest{
		Account: a.Account, Caller: l.c.Caller, CallID: l.c.ID, Recording: a.File,
		URL: "/api/v1/faults/" + a.File, Time: now.UTC(),
	}
	number, err := d.askReceiver(l.ctx, req)
	if err != nil {
		l.c.Logger().Warn("work-order receiver failed; numbering locally", "err", err)
	}
	number, err = d.save(l.ctx, store.WorkOrder{
		Number: number, CallID: l.c.ID, Account: a.Account, Caller: l.c.Caller, Recording: a.File, Created: now,
	})
	if err != nil {
		l.c.Logger().Error("fault report not filed", "err", err)
		return ivr.FaultReportFiled{ID: a.ID}
	}
	ev := l.base
	ev.Kind, ev.Time, ev.Detail = call.FaultReported, l.s.clock.Now(), number
	l.s.bus.Publish(ev)
	l.c.Logger().Info("fault report filed", "work_order", number, "recording", a.File)
	return ivr.FaultReportFiled{ID: a.ID, Number: number}
}

// askReceiver posts the report to the work-order service, retrying as
// configured; "" with a nil error means the receiver gave no number.
func (d *faultDesk) askReceiver(ctx context.Context, req WorkOrderRequest) (string, error) {
	if d.svc == nil {
		return "", nil
	}
	body, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("work order: %w", err)
	}
	var last error
	for attempt := 0; attempt <= *d.svc.Retries; attempt++ {
		number, retry, err := d.post(ctx, body)
		if err == nil || !retry {
			return number, err
		}
		last = err
	}
	return "", last
}

func (d *faultDesk) post(ctx context.Context, body []byte) (number string, retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, d.svc.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.svc.URL, bytes.NewReader(body))
	if err != nil {
		return "", false, fmt.Errorf("work order: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hotline-Event", "work_order")
	if len(d.secret) > 0 {
		req.Header.Set("X-Hotline-Signature", "sha256="+Sign(d.secret, body))
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return "", ctx.Err() == nil || errors.Is(err, context.DeadlineExceeded), fmt.Errorf("work order: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return "", true, fmt.Errorf("work order: status %d", resp.StatusCode)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return "", false, fmt.Errorf("work order: status %d", resp.StatusCode)
	}
	var ans WorkOrderAnswer
	if len(bytes.TrimSpace(data)) == 0 || json.Unmarshal(data, &ans) != nil || ans.WorkOrder == "" {
		return "", false, nil // accepted without a number of its own
	}
	if !externalNumber.MatchString(ans.WorkOrder) {
		return "", false, fmt.Errorf("work order: receiver's number %q is not 1-32 letters, digits or '-'", ans.WorkOrder)
	}
	return ans.WorkOrder, false, nil
}

// save keeps the work order and returns its number (the receiver's, or a
// new local one).
func (d *faultDesk) save(ctx context.Context, w store.WorkOrder) (string, error) {
	loc := d.s.cfg.ReportLocation()
	if d.s.store == nil {
		if w.Number != "" {
			return w.Number, nil
		}
		return fmt.Sprintf("F%s-%04d", w.Created.In(loc).Format("20060102"), d.nextSeq.Add(1)), nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return d.s.store.SaveWorkOrder(ctx, w, loc)
}

// faultControl is the API's view of fault reports (web.FaultControl).
type faultControl struct{ d *faultDesk }

func (c faultControl) ListFaults(ctx context.Context, from, to time.Time) (any, error) {
	list, err := c.d.s.store.WorkOrders(ctx, from, to)
	if err != nil {
		return nil, apiStoreErr(err)
	}
	if list == nil {
		list = []store.WorkOrder{}
	}
	return list, nil
}

// FaultRecording opens the recording of a work order; only files the store
// knows are served, so no path from the request reaches the file system.
func (c faultControl) FaultRecording(ctx context.Context, file string) (io.ReadSeekCloser, error) {
	w, err := c.d.s.store.WorkOrderByRecording(ctx, file)
	if err != nil {
		return nil, apiStoreErr(err)
	}
	f, err := os.Open(filepath.Join(c.d.dir, filepath.Base(w.Recording)))
	if err != nil {
		return nil, fmt.Errorf("%w: recording %s: %v", web.ErrNotFound, w.Recording, err)
	}
	return f, nil
}
