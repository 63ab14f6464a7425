package app

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/app/snapshot"
	"github.com/hotline-oss/hotline/app/webadapt"
	"github.com/hotline-oss/hotline/config"
)

// queueSeriesPresent fails for each per-queue series the server does not
// export for queue before any of its calls.
func queueSeriesPresent(t *testing.T, h *harness, queue string, overflowTargets ...string) {
	t.Helper()
	for _, name := range []string{"hotline_queue_offered_total", "hotline_queue_abandoned_total",
		"hotline_talk_seconds", "hotline_hold_seconds", "hotline_wrapup_seconds", "hotline_handle_seconds"} {
		if got := h.metric(name, "queue", queue); got != 0 {
			t.Errorf("%s{queue=%q} = %v before any call", name, queue, got)
		}
	}
	for _, target := range append([]string{""}, overflowTargets...) {
		h.metric("hotline_queue_overflowed_total", "queue", queue, "target", target)
	}
	for _, kind := range snapshot.QueueLabelValues.TransferKinds {
		h.metric("hotline_transfers_total", "queue", queue, "kind", kind)
	}
	for _, category := range snapshot.QueueLabelValues.Categories {
		for _, resolved := range []string{"yes", "no"} {
			h.metric("hotline_dispositions_total", "queue", queue, "category", category, "resolved", resolved)
		}
	}
}

func TestQueueSeriesFromStartAndAfterReload(t *testing.T) {
	h := start(t, acdTestConfig, func(cfg *config.Config) {
		q := cfg.Queues["general"]
		q.Overflow, q.DisplayName = "queue:billing", "General enquiries"
		cfg.Queues["general"] = q
	})
	queueSeriesPresent(t, h, "general", "queue:billing")
	queueSeriesPresent(t, h, "billing")
	// The agent panel names the agent's queues as people see them.
	panel := h.srv.agentPanel(webadapt.NewCallTracker())
	view, err := panel.PanelView("1001")
	if err != nil {
		t.Fatal(err)
	}
	if view.QueueNames["general"] != "General enquiries" || view.QueueNames["billing"] != "billing" {
		t.Errorf("agent panel queue names %v", view.QueueNames)
	}

	write := reloadFixture(t, h)
	body := strings.Replace(reloadedACD(t), "queues:\n  sales: {", "queues:\n  sales: {display_name: Sales & new connections, ", 1)
	write(body)
	if _, err := h.srv.ReloadConfig(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	queueSeriesPresent(t, h, "sales")

	shown := map[string]string{}
	for _, q := range h.srv.Metrics().Wallboard() {
		shown[q.Queue] = q.DisplayName
	}
	if shown["sales"] != "Sales & new connections" || shown["billing"] != "billing" || shown["general"] != "general" {
		t.Errorf("wallboard display names %v: want the reloaded display_name, else the key", shown)
	}
}
