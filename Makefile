# The two quick-start commands. Each builds .venv on first use and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint clean browser

$(STAMP): pyproject.toml
	@echo "[$$(date +%T)] creating $(VENV) and installing mlsalary with its dependencies (a minute or two)…"
	$(PY) -m venv $(VENV)
	@# pip is quiet for a minute or more: a line every few seconds says it is still at work (a log never goes silent).
	@( while sleep 2; do echo "[$$(date +%T)] installing: still running"; done ) & beat=$$!; \
	  $(BIN)/pip install --quiet --upgrade pip && $(BIN)/pip install --quiet -e '.[dev]'; rc=$$?; \
	  kill $$beat; exit $$rc
	touch $(STAMP)
	@echo "[$$(date +%T)] installed"

## run: the main job — pull every source (mirror, cache, download or the bundled copies), train the pay model (so the
## first estimate is instant), compute the figures and the claims, print each figure's answer and each claim's
## verdict, and write the rest into report/report.html, report/figures.md and report/figures.json.
run: $(STAMP)
	@# A source that fails or is refused (it would lose data) is reported and the rest of the job goes on.
	@echo "[$$(date +%T)] pulling every source…"
	-$(BIN)/mlsalary data pull
	@echo "[$$(date +%T)] training the pay model…"
	$(BIN)/mlsalary model train
	@echo "[$$(date +%T)] computing the figures and writing the report…"
	$(BIN)/mlsalary figures --out report --summary
	@echo "[$$(date +%T)] checking the claims…"
	$(BIN)/mlsalary claims --summary
	@echo
	@echo "The report: $(CURDIR)/report/report.html (also report/figures.md and report/figures.json)."
	@echo "Next, try:"
	@echo "  $(BIN)/mlsalary estimate --role ml_engineer --level senior --country US --metro Seattle"
	@echo "  $(BIN)/mlsalary offer examples/offer.toml"
	@echo "  $(BIN)/mlsalary serve     # the figures, an explorer, the estimate and offer forms in a browser"

## browser: Debian's chromium for the browser tests, installed when it can be (root, or sudo, and apt-get), and
## axe-core for their accessibility checks (npm); when either cannot be, one line says which tests will be skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
	  if command -v apt-get >/dev/null 2>&1 && { [ -z "$$SUDO" ] || sudo -n true 2>/dev/null; }; then \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: chromium is not installed and cannot be here (needs root and apt-get): the browser tests will be reported as skipped"; fi; }
	@# axe-core (npm, pinned in tests/a11y/package-lock.json) checks every page's accessibility in the browser tests.
	@[ -f tests/a11y/node_modules/axe-core/axe.min.js ] || { \
	  if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/a11y --no-audit --no-fund --silent; \
	  else echo "note: npm is not installed: the accessibility checks will be reported as skipped"; fi; }

## test: the whole test suite (installing chromium for the browser tests when it can), then ruff and mypy.
test: $(STAMP) browser
	$(BIN)/pytest -q
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	@command -v chromium >/dev/null 2>&1 || echo "note: the browser tests were skipped: chromium is not installed (make browser installs it as root with apt-get)"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
