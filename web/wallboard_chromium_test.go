package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/chromiumtest"
	"github.com/hotline-oss/hotline/web/i18n"
)

// boardQueue mirrors the JSON the wallboard page reads.
type boardQueue struct {
	Queue               string         `json:"queue"`
	DisplayName         string         `json:"display_name"`
	Waiting             int64          `json:"waiting"`
	OldestWaitSeconds   float64        `json:"oldest_wait_seconds"`
	ServiceLevel        *float64       `json:"service_level"`
	ServiceLevelTarget  float64        `json:"service_level_target"`
	ServiceLevelSeconds float64        `json:"service_level_seconds"`
	AbandonRate         *float64       `json:"abandon_rate"`
	ASASeconds          *float64       `json:"asa_seconds"`
	Answered            int64          `json:"answered"`
	Agents              map[string]int `json:"agents"`
	Adherence           *float64       `json:"adherence"`
	AdherenceTarget     float64        `json:"adherence_target,omitempty"`
}

func ptr(v float64) *float64 { return &v }

// changingBoard returns a source whose billing queue gains a caller per
// snapshot, so the page can only show a later count if it updated live.
func changingBoard() func() any {
	var snapshots atomic.Int64
	return func() any {
		n := snapshots.Add(1)
		return []boardQueue{
			{Queue: "billing", DisplayName: "Billing", Waiting: n, OldestWaitSeconds: 12, ServiceLevel: ptr(0.86), ServiceLevelTarget: 0.8,
				ServiceLevelSeconds: 20, AbandonRate: ptr(0.03), ASASeconds: ptr(14),
				Agents: map[string]int{"available": 3, "talking": 5, "wrapup": 1, "paused": 1}},
			{Queue: "outages", DisplayName: "Outages", Waiting: 4, OldestWaitSeconds: 48, ServiceLevel: ptr(0.74), ServiceLevelTarget: 0.8,
				ServiceLevelSeconds: 20, AbandonRate: ptr(0.07), ASASeconds: ptr(31),
				Agents: map[string]int{"available": 1, "talking": 8, "wrapup": 2, "paused": 0}},
			{Queue: "repairs", DisplayName: "Repairs", Waiting: 9, OldestWaitSeconds: 124, ServiceLevel: ptr(0.55), ServiceLevelTarget: 0.8,
				ServiceLevelSeconds: 20, AbandonRate: ptr(0.12), ASASeconds: ptr(58),
				Agents: map[string]int{"available": 0, "talking": 6, "wrapup": 1, "paused": 2}},
			{Queue: "new", DisplayName: "New", ServiceLevelTarget: 0.8, ServiceLevelSeconds: 20, Agents: map[string]int{}},
		}
	}
}

// cappedStream ends an event stream after a number of snapshots, as a
// proxy or a network drop would.
type cappedStream struct {
	http.ResponseWriter
	left   int
	cancel context.CancelFunc
}

func (c *cappedStream) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	if bytes.HasPrefix(p, []byte("event: snapshot")) {
		if c.left--; c.left == 0 {
			c.cancel()
		}
	}
	return n, err
}

func (c *cappedStream) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// boardServer serves the wallboard of source, its page by page (the
// wallboard's own when nil), each event stream ending after snapshots
// snapshots; it returns the page's URL in English.
func boardServer(t *testing.T, source func() any, page http.HandlerFunc, snapshots int) string {
	t.Helper()
	wb := &wallboard{source: source, period: 100 * time.Millisecond, heartbeatEvery: 15, shutdown: make(chan struct{})}
	if page == nil {
		page = wb.page
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /wallboard", page)
	mux.HandleFunc("GET /wallboard/events", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		wb.events(&cappedStream{ResponseWriter: w, left: snapshots, cancel: cancel}, r.WithContext(ctx))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/wallboard?lang=en"
}

func TestWallboardInHeadlessChromium(t *testing.T) {
	browser := chromiumtest.Find(t)
	url := boardServer(t, changingBoard(), nil, 3)

	// Headless virtual time stands still while a fetch is open, so each
	// stream here ends after three snapshots; the page must take all three
	// from one stream and, after its reconnect, more, without a reload.
	dom := chromiumtest.DumpDOM(t, browser, url, 3000)
	updates := regexp.MustCompile(`<body[^>]*data-updates="(\d+)"`).FindStringSubmatch(dom)
	if updates == nil {
		t.Fatalf("no update counter in the DOM:\n%s", dom)
	}
	t.Logf("page took %s snapshots", updates[1])
	if n, _ := strconv.Atoi(updates[1]); n < 4 {
		t.Fatalf("page took %d snapshots; want several without a reload", n)
	}
	waiting := regexp.MustCompile(`data-queue="billing"[\s\S]*?data-field="waiting">(\d+)<`).FindStringSubmatch(dom)
	if waiting == nil {
		t.Fatalf("no billing waiting figure in the DOM:\n%s", dom)
	}
	if n, _ := strconv.Atoi(waiting[1]); n < 4 {
		t.Errorf("billing waiting shows %d; the first stream said 1 to 3, later ones more", n)
	}
	for _, want := range []string{
		// SL 86 % against 80 % is green, 74 % amber, 55 % red.
		`data-queue="billing"[\s\S]*?data-tile="sl" data-level="good"><span class="label">SL today</span><span class="value" data-field="sl">86%<`,
		`data-queue="outages"[\s\S]*?data-tile="sl" data-level="warn">`,
		`data-queue="repairs"[\s\S]*?data-tile="sl" data-level="bad">`,
		// Abandon 3 % green, 12 % red; oldest wait 2:04 red.
		`data-queue="billing"[\s\S]*?data-tile="abandon" data-level="good">`,
		`data-queue="repairs"[\s\S]*?data-tile="abandon" data-level="bad">`,
		`data-queue="repairs"[\s\S]*?data-tile="oldest" data-level="bad"><span class="label">Oldest wait</span><span class="value" data-field="oldest">2:04<`,
		// A queue without calls shows dashes, not 0 %.
		`data-queue="new"[\s\S]*?data-field="sl">—<`,
	} {
		if !regexp.MustCompile(want).MatchString(dom) {
			t.Errorf("DOM lacks %s", want)
		}
	}

	chromiumtest.Screenshot(t, browser, url, "1920,1080", 3000)
}

// tvBoard is eight queues with display names, the longest a name a
// utility hotline might really use, and busy figures at their widest.
func tvBoard() any {
	queues := []struct{ key, name string }{
		{"general", "General enquiries"}, {"billing", "Billing & payments"}, {"repair", "Faults & repairs"},
		{"outages", "Power outages"}, {"water", "Water supply"}, {"complaints", "Complaints"},
		{"complaints_senior", "Complaints (senior)"}, {"new_connections", "New connections & moves"},
	}
	out := make([]boardQueue, 0, len(queues))
	for i, q := range queues {
		out = append(out, boardQueue{Queue: q.key, DisplayName: q.name, Waiting: int64(10 + 11*i), OldestWaitSeconds: float64(95 + 70*i),
			ServiceLevel: ptr(1 - 0.06*float64(i)), ServiceLevelTarget: 0.8, ServiceLevelSeconds: 20,
			AbandonRate: ptr(0.02 * float64(i)), ASASeconds: ptr(float64(8 + 17*i)), Answered: int64(120 * (i + 1)),
			Agents:    map[string]int{"available": i % 3, "talking": 12 + i, "wrapup": i % 4, "paused": 1},
			Adherence: ptr(0.97 - 0.02*float64(i)), AdherenceTarget: 0.92})
	}
	return out
}

// fitCheck runs in the page after its first snapshot and writes what it
// measured on the body: page and viewport height, and the cards, tiles and
// names whose content does not fit their box.
const fitCheck = `<script>
setInterval(function () {
  if (document.body.dataset.updates === "0") { return; }
  var clipped = [];
  document.querySelectorAll(".queue, .tile, .queue h2, .tile .label").forEach(function (el) {
    if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) {
      var tile = el.closest(".tile");
      clipped.push((el.closest(".queue").dataset.queue || "?") + ":" + (el.dataset.tile || (tile && tile.dataset.tile + " label") || el.tagName));
    }
  });
  var b = document.body.dataset;
  b.pageHeight = String(document.documentElement.scrollHeight);
  b.viewWidth = String(window.innerWidth);
  b.viewHeight = String(window.innerHeight);
  b.clipped = clipped.join(" ");
}, 200);
</script>
</body>`

func TestWallboardFitsEightQueuesOnATV(t *testing.T) {
	browser := chromiumtest.Find(t)
	page := bytes.Replace(wallboardPage, []byte("</body>"), []byte(fitCheck), 1)
	url := boardServer(t, tvBoard, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(i18n.Localise(page, "en")) }, 2)

	// The DOM dump's window counts the browser's frame: a first run finds
	// its height, so that the measured run has a 1920×1080 viewport.
	measure := func(height int) (dom string, pageHeight, viewWidth, viewHeight int, clipped string) {
		dom = chromiumtest.DumpDOM(t, browser, url, 3000, fmt.Sprintf("--window-size=1920,%d", height))
		m := regexp.MustCompile(`data-page-height="(\d+)" data-view-width="(\d+)" data-view-height="(\d+)" data-clipped="([^"]*)"`).FindStringSubmatch(dom)
		if m == nil {
			t.Fatalf("the page reported no measurement:\n%s", dom)
		}
		pageHeight, _ = strconv.Atoi(m[1])
		viewWidth, _ = strconv.Atoi(m[2])
		viewHeight, _ = strconv.Atoi(m[3])
		return dom, pageHeight, viewWidth, viewHeight, m[4]
	}
	_, _, _, viewHeight, _ := measure(1080)
	dom, pageHeight, viewWidth, viewHeight, clipped := measure(1080 + 1080 - viewHeight)
	t.Logf("page %d px high in a %d×%d viewport; clipped: %q", pageHeight, viewWidth, viewHeight, clipped)
	if viewWidth != 1920 || viewHeight != 1080 {
		t.Fatalf("viewport %d×%d, want 1920×1080", viewWidth, viewHeight)
	}
	if pageHeight > viewHeight {
		t.Errorf("eight queues need %d px at 1920×1080: the wallboard scrolls", pageHeight)
	}
	if clipped != "" {
		t.Errorf("content does not fit its box: %s", clipped)
	}
	for _, name := range []string{"General enquiries", "Billing &amp; payments", "Complaints (senior)", "New connections &amp; moves"} {
		if !regexp.MustCompile(`data-field="name" title="` + regexp.QuoteMeta(name) + `"[^>]*>` + regexp.QuoteMeta(name) + `<`).MatchString(dom) {
			t.Errorf("display name %q not shown", name)
		}
	}
	if strings.Contains(dom, `data-field="name" title="complaints_senior"`) {
		t.Error("a raw queue key is shown instead of its display name")
	}
	// Schedule adherence: green at or above the target, red below it.
	for _, want := range []string{
		`data-tile="adherence" data-level="good"><span class="label">Adherence</span><span class="value" data-field="adherence">97%<`,
		`data-tile="adherence" data-level="bad"><span class="label">Adherence</span><span class="value" data-field="adherence">89%<`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("adherence tile not shown as %s", want)
		}
	}

	png := chromiumtest.Screenshot(t, browser, url, "1920,1080", 3000)
	// Set WALLBOARD_SCREENSHOT to a path to keep the picture for the docs
	// (docs/wallboard.png).
	chromiumtest.Keep(t, png, os.Getenv("WALLBOARD_SCREENSHOT"))
}
