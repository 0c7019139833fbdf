# PolicyStrata. `make test` is what CI runs (.ci/run); `make demo` is the main job.
GO ?= go
BIN := bin/policystrata
PKGS := ./...
# The PostgreSQL tests run against the local server unless told otherwise
# (CI sets the same DSN in .ci/run).
POLICYSTRATA_PG_DSN ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export POLICYSTRATA_PG_DSN

.PHONY: build build-policystrata build-raigo test demo bench vet fmt fuzz clean evidence paper

build: build-policystrata build-raigo

# -s -w: no symbol table or DWARF in bin/ (stack traces keep their
# function names and lines); each link of the DuckDB static library takes
# about 40% less CPU and the binary 31 MB less (README, "Build time").
# `make build LDFLAGS=` keeps them for a debugger.
LDFLAGS ?= -s -w

build-policystrata:
	$(GO) build -ldflags='$(LDFLAGS)' -o $(BIN) ./cmd/policystrata

build-raigo:
	$(GO) build -ldflags='$(LDFLAGS)' -o bin/raigo ./cmd/raigo

test: vet
	$(GO) test -count=1 $(PKGS)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)

# The demo needs only policystrata: raigo would be a second link of the
# DuckDB static library (see README, "Build time").
demo: build-policystrata
	./$(BIN) demo --out runs/demo

# The statement floor of each engine, the evaluate stage and raigo (one
# core), then whole runs at 500, 10,000 and 100,000 tasks with wall time,
# peak RSS, statements per task and the floor (scripts/bench.sh).
bench:
	GO=$(GO) scripts/bench.sh

# Every fuzz target for FUZZTIME each, with executions per target at the
# end (CI runs the seed corpora as ordinary tests). `make fuzz FUZZTIME=5m`.
FUZZTIME ?= 60s
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

# Every suite of the three domains, baselines, ablations, tables and figures:
# writes paper/generated/ and the evidence block of EVAL_CARD.md.
evidence:
	scripts/reproduce-evidence.sh

# The paper's PDF (needs Debian's TeX Live: texlive-latex-base and
# texlive-latex-extra for booktabs and adjustbox). The measured cost in
# paper/measured/ is included when make evidence has written it.
paper:
	cd paper && pdflatex -interaction=nonstopmode -halt-on-error main.tex >/dev/null && pdflatex -interaction=nonstopmode -halt-on-error main.tex

clean:
	rm -rf bin runs
