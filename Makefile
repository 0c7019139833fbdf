# PolicyStrata. `make test` is what CI runs (.ci/run); `make demo` is the main job.
GO ?= go
BIN := bin/policystrata
PKGS := ./...

.PHONY: build test demo bench vet fmt fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/policystrata

test: vet
	$(GO) test -count=1 $(PKGS)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)

demo: build
	./$(BIN) demo --out runs/demo

bench:
	$(GO) test -run '^$$' -bench . -benchtime 200x ./pipeline/evaluate

# Short smoke run of every fuzz target (CI runs them as seed-corpus tests).
fuzz:
	scripts/fuzz.sh 15s

clean:
	rm -rf bin runs
