package selfservice

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// A Service built without a store still answers look-ups (the built-in
// demo in process), numbers work orders locally and keeps fault messages
// under data_dir/faults; the parts that need the database are absent.
func TestServiceWithoutStore(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC)
	shanghai := time.FixedZone("CST", 8*3600)
	services := map[string]config.Service{
		"accounts":       {URL: config.BuiltinDemoURL},
		WorkOrderService: {URL: "http://127.0.0.1:1/unused"},
	}
	s, err := New(Deps{
		Services: services, DataDir: dir, Languages: []string{"zh"}, DefaultLanguage: "zh",
		Location: shanghai, Clock: fixedClock{now}, Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	if names := LookupServiceNames(services); !slices.Equal(names, []string{"accounts"}) {
		t.Errorf("lookup services %v, want [accounts]", names)
	}
	if !HasLookupService(services, "accounts") || HasLookupService(services, WorkOrderService) || HasLookupService(services, "billing") {
		t.Error("HasLookupService must name configured account services only")
	}

	ctx := context.Background()
	ans, res, err := s.Lookup(ctx, "accounts", LookupRequest{Account: "1234567890"})
	if err != nil || res != LookupOK || ans.Area != "north" {
		t.Errorf("demo lookup: %+v %s %v", ans, res, err)
	}
	if _, res, err := s.Lookup(ctx, "billing", LookupRequest{Account: "1"}); res != LookupError || !errors.Is(err, ErrUnknownService) {
		t.Errorf("unknown service: %s %v, want error and ErrUnknownService", res, err)
	}

	if s.AreaNotices("north") != nil || s.NoticeControl() != nil || s.FaultControl() != nil {
		t.Error("without a store there are no notices and no fault API")
	}
	if err := s.LoadNotices(ctx); err != nil {
		t.Errorf("load without a store: %v", err)
	}

	name, err := s.SaveFaultMessage("abc/1@host", make([]int16, rtpcodec.ClockRate))
	if err != nil {
		t.Fatal(err)
	}
	if want := "20261123T233000.000-abc_1_host.wav"; name != want {
		t.Errorf("message file %q, want %q", name, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "faults", name)); err != nil {
		t.Errorf("message not on disk: %v", err)
	}
	// The receiver cannot be reached (nothing listens on port 1): the
	// report is numbered locally, dated on the report location's day.
	number, err := s.FileFault(ctx, slog.New(slog.DiscardHandler), FaultReport{Account: "1234567890", CallID: "c1", Recording: name})
	if err != nil || number != "F20261124-0001" {
		t.Errorf("fault report: %q %v, want F20261124-0001", number, err)
	}
}
