# PolicyStrata. `make test` is what CI runs (.ci/run); `make demo` is the main job.
GO ?= go
BIN := bin/policystrata
PKGS := ./...
# The PostgreSQL tests run against the local server unless told otherwise
# (CI sets the same DSN in .ci/run).
POLICYSTRATA_PG_DSN ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export POLICYSTRATA_PG_DSN

.PHONY: build test demo bench vet fmt fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/policystrata
	$(GO) build -o bin/raigo ./cmd/raigo

test: vet
	$(GO) test -count=1 $(PKGS)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)

demo: build
	./$(BIN) demo --out runs/demo

# Evaluate (database-backed) and raigo benchmarks; the raigo engine is
# measured on one core (-cpu 1) to give a per-core figure.
bench:
	$(GO) test -run '^$$' -bench . -benchtime 200x ./pipeline/evaluate
	$(GO) test -run '^$$' -bench . -cpu 1 ./pipeline/raigo ./pipeline/raigorun

# Short smoke run of every fuzz target (CI runs them as seed-corpus tests).
fuzz:
	scripts/fuzz.sh 15s

clean:
	rm -rf bin runs
