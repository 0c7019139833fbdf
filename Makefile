# PolicyStrata. `make test` is what CI runs (.ci/run); `make demo` is the main job.
GO ?= go
BIN := bin/policystrata
PKGS := ./...

.PHONY: build test demo bench vet fmt fuzz clean evidence paper

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

# Every suite of the three domains, baselines, ablations, tables and figures:
# writes paper/generated/ and the evidence block of EVAL_CARD.md.
evidence:
	scripts/reproduce-evidence.sh

# The paper's PDF (needs Debian's TeX Live: pdflatex with booktabs).
paper:
	cd paper && pdflatex -interaction=nonstopmode -halt-on-error main.tex >/dev/null && pdflatex -interaction=nonstopmode -halt-on-error main.tex

clean:
	rm -rf bin runs
