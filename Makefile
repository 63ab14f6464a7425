# hotline — build, test and tools. `make test` is what CI runs.
GO ?= go

.PHONY: all build run test test-overload test-outage test-unit tools-check vet fmt-check prompts bench bench-load soak fuzz clean

all: build

build:
	$(GO) build -o bin/hotline ./cmd/hotline

run:
	$(GO) run ./cmd/hotline

# Everything: formatting, vet, unit and in-process end-to-end tests with the
# race detector, then the external end-to-end tests (SIPp).
test: fmt-check vet tools-check
	$(GO) test -race -count=1 -timeout 30m ./...
	$(MAKE) test-overload
	$(MAKE) test-outage
	$(MAKE) fuzz

# SIPp at twice the channel limit for 30 s; run alone and without the race
# detector, because it checks the RTP pacing of the calls that are up.
test-overload:
	$(GO) test -count=1 -timeout 5m -run '^TestSIPpOverloadAtTwiceCapacity$$' ./app/

# Stops and restarts the machine's MariaDB in the middle of SIPp calls, and
# again while recordings, fault reports, callbacks and notices are written,
# so it runs alone, after every other test (needs root, MariaDB and SIPp;
# skipped without HOTLINE_TEST_MYSQL_DSN outside CI).
test-outage:
	@if [ -n "$$HOTLINE_TEST_MYSQL_DSN" ]; then \
	  HOTLINE_TEST_MYSQL_OUTAGE=1 $(GO) test -race -count=1 -timeout 5m \
	    -run '^(TestMariaDBOutageDuringSIPpCalls|TestMariaDBOutageKeepsEveryWrite)$$' ./app/; \
	else echo "SKIP: MariaDB outage test: HOTLINE_TEST_MYSQL_DSN is not set"; fi

# go test shows a test's output only when it fails, so the external tools
# the end-to-end tests need are checked here where a SKIP line is visible.
# Under CI=true a missing tool fails the run instead.
tools-check:
	@for tool in sipp baresip linphonec kamailio kamcmd nats-server chromium prometheus promtool fail2ban-regex espeak-ng sox; do \
	  if ! command -v $$tool >/dev/null 2>&1; then \
	    if [ "$$CI" = true ]; then echo "FAIL: $$tool is not installed (CI runs every test)"; exit 1; fi; \
	    echo "SKIP: $$tool is not installed: its end-to-end tests are skipped (apt-get install -y sip-tester baresip-core linphone-cli kamailio nats-server chromium prometheus fail2ban espeak-ng sox)"; \
	  fi; \
	done
	@if [ -z "$$HOTLINE_TEST_MYSQL_DSN" ]; then \
	  if [ "$$CI" = true ]; then echo "FAIL: HOTLINE_TEST_MYSQL_DSN is not set (CI runs the MySQL store tests)"; exit 1; fi; \
	  echo "SKIP: HOTLINE_TEST_MYSQL_DSN is not set: the store tests run on SQLite only (see README)"; \
	fi

test-unit:
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Short runs of every fuzz target over its committed corpus plus new inputs.
# The budget is a count of executions: a time budget makes go test's fuzz
# coordinator fail now and then with "context deadline exceeded" on a busy
# machine, with no crasher. A real crasher is written to testdata/fuzz and
# fails every rerun, so one rerun tells the two apart.
FUZZEXECS ?= 100000x
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$target ($(FUZZEXECS))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZEXECS) $$pkg \
	      || $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZEXECS) $$pkg; \
	  done; \
	done

# Regenerate the prompts with espeak-ng and sox (apt-get install -y espeak-ng sox).
prompts:
	prompts/generate.sh
	$(GO) test ./prompts/...

# Micro-benchmarks of the hot paths (media, ACD routing, store).
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./media/ ./media/g722/ ./media/resample/ ./acd/ ./store/

# Load benchmark with SIPp against the real binary: about 12 minutes, not
# part of `make test`. See bench/README.md.
bench-load:
	bench/run.sh $(BENCH_ARGS)

# Soak: 200 IVR calls with constant churn for 30 minutes (SIPp against the
# real binary); RSS, goroutines, open files and RTP ports must stay flat.
# Not part of `make test`. See bench/README.md. SOAK_ARGS="-duration 5m".
soak:
	bench/soak/run.sh $(SOAK_ARGS)

clean:
	rm -rf bin data
