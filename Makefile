# hawser's everyday tasks.
#
#   make test     every test (go test ./...)
#   make bench    the benchmark suite against HAProxy and nginx
#                 (bench/README.md); about 4 minutes, report in $(BENCH_OUT)
#   make bench-go the Go benchmarks of the hot paths, with allocations

GO         ?= go
BENCH_OUT  ?= bench/out/results.md
BENCH_ARGS ?=

.PHONY: test bench bench-go

test:
	$(GO) test ./...

bench:
	$(GO) run ./bench/cmd/benchsuite -out $(BENCH_OUT) $(BENCH_ARGS)

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/tunnel/ ./internal/h1/ ./internal/acl/ ./internal/balance/ ./bench/curves/
