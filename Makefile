# The two quick-start commands (README.md): `make run` and `make test`.
# Each installs the Debian packages it needs first (packaging/install-deps.sh).
BUILD_DIR ?= build
SANITIZE_BUILD_DIR ?= build-sanitize
FUZZ_SECONDS ?= 60
SANITIZE_FUZZ_SECONDS ?= 20
PACKAGE_BUILD_DIR ?= build-package
JOBS ?= 2
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DCCM_WERROR=ON
endif

.PHONY: deps build run test resilience sanitize-build test-sanitize fuzz package clean

deps:
	@./packaging/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# Runs the gateway in the foreground on the embedded default config
# (HTTP on 127.0.0.1:8080, events to ./var/events.jsonl). Stop with Ctrl-C.
# The default config's sources take their bearer tokens from the environment;
# local runs get development tokens unless you export your own.
run: build
	@mkdir -p var
	@CCM_LDS_TOKEN="$${CCM_LDS_TOKEN:-dev-lds-token}" CCM_GRADING_TOKEN="$${CCM_GRADING_TOKEN:-dev-grading-token}" \
		$(BUILD_DIR)/core/ccm-gateway --config config/gateway.json

# Builds and runs every test (unit and integration) and prints ctest's summary.
test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

# The fault runs (tests/resilience) in their long forms: SIGKILL cycles, a
# PostgreSQL restart, a full disk, a slow sink with a backlog of a million
# events, replica failover; each prints its figures (docs/operations.md).
# `make test` runs their short forms.
resilience: build
	@cd $(BUILD_DIR) && CCM_RESILIENCE=full ctest -L resilience -V -j1

# The sanitizer build: clang with AddressSanitizer, UndefinedBehaviorSanitizer
# and libFuzzer's coverage. test-sanitize runs the unit tests in it, then each
# fuzz target (tests/fuzz) for SANITIZE_FUZZ_SECONDS; fuzz runs each target
# for FUZZ_SECONDS. Inputs that fail are saved under $(SANITIZE_BUILD_DIR)/crashes.
sanitize-build:
	@./packaging/install-deps.sh sanitize
	@cmake -S . -B $(SANITIZE_BUILD_DIR) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DCCM_SANITIZE=ON -DCCM_FUZZ=ON \
		$(CMAKE_FLAGS) >/dev/null
	@cmake --build $(SANITIZE_BUILD_DIR) -j$(JOBS) --target ccm_unit_tests

test-sanitize: sanitize-build
	@cd $(SANITIZE_BUILD_DIR) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest -L unit --output-on-failure -j$(JOBS)
	@./tests/fuzz/run_fuzzers.sh $(SANITIZE_BUILD_DIR) $(SANITIZE_FUZZ_SECONDS)

fuzz: sanitize-build
	@./tests/fuzz/run_fuzzers.sh $(SANITIZE_BUILD_DIR) $(FUZZ_SECONDS)

# The Debian packages ccm-gateway and ccm-gateway-dev (docs/operations.md), from
# a build configured for the system layout so the compiled-in defaults
# (/etc/ccm-gateway/gateway.json, /usr/lib/ccm-gateway/plugins) are where the
# package installs them.
package: deps
	@cmake -S . -B $(PACKAGE_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
		-DCMAKE_INSTALL_LIBDIR=lib -DCCM_BUILD_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(PACKAGE_BUILD_DIR) -j$(JOBS)
	@cd $(PACKAGE_BUILD_DIR) && cpack -G DEB && ls -l $(CURDIR)/$(PACKAGE_BUILD_DIR)/*.deb

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_BUILD_DIR) $(PACKAGE_BUILD_DIR)
