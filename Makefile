# The two quick-start commands (README.md): `make run` and `make test`.
# Each installs the Debian packages it needs first (packaging/install-deps.sh).
BUILD_DIR ?= build
ASAN_BUILD_DIR ?= build-asan
JOBS ?= 2
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DCCM_WERROR=ON
endif

.PHONY: deps build run test test-sanitize clean

deps:
	@./packaging/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# Runs the gateway in the foreground on the embedded default config
# (HTTP on 127.0.0.1:8080, events to ./var/events.jsonl). Stop with Ctrl-C.
run: build
	@mkdir -p var
	@$(BUILD_DIR)/core/ccm-gateway --config config/gateway.json

# Builds and runs every test (unit and integration) and prints ctest's summary.
test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

# The unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
test-sanitize: deps
	@cmake -S . -B $(ASAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=Debug -DCCM_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD_DIR) -j$(JOBS)
	@cd $(ASAN_BUILD_DIR) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest -L unit --output-on-failure -j$(JOBS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR)
