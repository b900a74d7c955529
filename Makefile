# hawser's everyday tasks.
#
#   make test     every test (go test ./...)
#   make test-race the race detector over the packages and a race build
#                 of hawser under the black-box tests
#   make bench    the benchmark suite against HAProxy and nginx
#                 (bench/README.md); about 4 minutes, report in $(BENCH_OUT)
#   make bench-go the Go benchmarks of the hot paths, with allocations

GO         ?= go
BENCH_OUT  ?= bench/out/results.md
BENCH_ARGS ?=

.PHONY: test test-race bench bench-go

test:
	$(GO) test ./...

# test-race: the packages with the race detector, and the black-box tests
# against a race-detector build of hawser (about 5 minutes).
test-race:
	$(GO) test -race ./internal/...
	HAWSER_TEST_RACE=1 $(GO) test -count=1 ./test/

bench:
	$(GO) run ./bench/cmd/benchsuite -out $(BENCH_OUT) $(BENCH_ARGS)

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/tunnel/ ./internal/h1/ ./internal/acl/ ./internal/balance/ ./bench/curves/
