package selfservice

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/signedhttp"
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
	store   *store.Store   // nil: numbers are kept in memory only
	loc     *time.Location // the day of a local number
	dir     string
	svc     *config.Service   // nil: numbers are local only
	poster  signedhttp.Poster // signs with the service's secret, if any
	nextSeq atomic.Int64      // local numbers when there is no store
}

func newFaultDesk(deps Deps) (*faultDesk, error) {
	d := &faultDesk{
		store: deps.Store, loc: deps.Location, dir: filepath.Join(deps.DataDir, "faults"),
		poster: signedhttp.Poster{Client: &http.Client{}},
	}
	if err := os.MkdirAll(d.dir, 0o750); err != nil {
		return nil, err
	}
	if svc, ok := deps.Services[WorkOrderService]; ok {
		svc = svc.WithDefaults()
		d.svc, d.poster.Secret = &svc, []byte(svc.SecretValue())
	}
	return d, nil
}

// FaultPromptNames are the prompts a fault_report node reads the number
// with.
func FaultPromptNames() []string {
	names := []string{ivr.PromptWorkOrderIs}
	for d := '0'; d <= '9'; d++ {
		names = append(names, "digit_"+string(d))
	}
	return names
}

// FaultReport is a caller's recorded fault message to be filed.
type FaultReport struct {
	Account   string
	Caller    string
	CallID    string
	Recording string // file name under data_dir/faults, from SaveFaultMessage
}

// FileFault files one report and returns its work-order number: the
// receiver's, or a local one when the receiver gives none or fails (which
// is logged on log, the call's logger). An error means the report was not
// kept.
func (s *Service) FileFault(ctx context.Context, log *slog.Logger, r FaultReport) (string, error) {
	d := s.faults
	now := s.clock.Now()
	req := WorkOrderRequest{
		Account: r.Account, Caller: r.Caller, CallID: r.CallID, Recording: r.Recording,
		URL: "/api/v1/faults/" + r.Recording, Time: now.UTC(),
	}
	number, err := d.askReceiver(ctx, req)
	if err != nil {
		log.Warn("work-order receiver failed; numbering locally", "err", err)
	}
	return d.save(ctx, store.WorkOrder{
		Number: number, CallID: r.CallID, Account: r.Account, Caller: r.Caller, Recording: r.Recording, Created: now,
	})
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
	res, err := d.poster.Post(ctx, signedhttp.Request{
		URL: d.svc.URL, Body: body, Timeout: d.svc.Timeout, MaxAnswer: 16 << 10,
		Header: map[string]string{"X-Hotline-Event": "work_order"},
	})
	if err != nil && res.Status == 0 {
		// No answer: worth another try unless the caller's side gave up.
		return "", ctx.Err() == nil, fmt.Errorf("work order: %w", err)
	}
	switch {
	case res.Retryable():
		return "", true, fmt.Errorf("work order: status %d", res.Status)
	case !res.OK():
		return "", false, fmt.Errorf("work order: status %d", res.Status)
	}
	// A 2xx whose body broke off is an acceptance without a number.
	var ans WorkOrderAnswer
	data := res.Body
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
	loc := d.loc
	if d.store == nil {
		if w.Number != "" {
			return w.Number, nil
		}
		return fmt.Sprintf("F%s-%04d", w.Created.In(loc).Format("20060102"), d.nextSeq.Add(1)), nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return d.store.SaveWorkOrder(ctx, w, loc)
}

// faultControl is the API's view of fault reports (web.FaultControl).
type faultControl struct{ d *faultDesk }

func (c faultControl) ListFaults(ctx context.Context, from, to time.Time) (any, error) {
	list, err := c.d.store.WorkOrders(ctx, from, to)
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
	w, err := c.d.store.WorkOrderByRecording(ctx, file)
	if err != nil {
		return nil, apiStoreErr(err)
	}
	f, err := os.Open(filepath.Join(c.d.dir, filepath.Base(w.Recording)))
	if err != nil {
		return nil, fmt.Errorf("%w: recording %s: %v", web.ErrNotFound, w.Recording, err)
	}
	return f, nil
}
