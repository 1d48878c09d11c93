# Front end for the CMake + Ninja build. Every target except clean first runs
# scripts/bootstrap, which installs missing Debian packages and returns at once when none
# are missing.
#
#   make [all]              RelWithDebInfo build in build/ (g++); the binary is build/sippay
#   make test               build, then run ctest (extra ctest options: CTEST_ARGS=...)
#   make test SANITIZE=1    the same with ASan + UBSan, in build-asan/
#   make CXX=clang++        any target with clang++; its build directory gets a -clang suffix
#   make bench              Release build in build-bench/, then run the benchmarks: the parse
#                           benchmark (BENCH_ARGS=...), the UA benchmark (UA_BENCH_ARGS=...), the
#                           security benchmark (SECURITY_BENCH_ARGS=...), the SIPp load of
#                           bench/sipp_load.sh, the proxy relay load of bench/proxy_load.sh
#                           (sippay proxy against Kamailio) and the end-to-end purchase benchmark
#                           (PURCHASE_BENCH_ARGS=..., default --customers 8 --duration 10)
#   make fuzz               clang++ libFuzzer build in build-fuzz/, then run each fuzzer for
#                           FUZZ_SECONDS seconds (default 30)
#   make demo               build, then run scripts/demo (a real purchase on 127.0.0.1)
#   make format             clang-format -i over the C++ sources
#   make format-check       fail if any C++ source is not clang-formatted
#   make tidy               clang-tidy over src/**/*.cpp, using build/compile_commands.json
#   make clean              remove every build directory
#
# Each configuration has its own build directory, so switching between them does not
# reconfigure. CMake runs when a build directory has no build.ninja, or when the CMake
# arguments (including CMAKE_ARGS=...) differ from those of its last configure. A -D option
# dropped from CMAKE_ARGS keeps its value in CMakeCache.txt until `make clean`.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := all

# GNU make's built-in default for CXX is g++; a CXX from the command line or the
# environment takes precedence.
ifeq ($(origin CXX),default)
CXX := g++
endif

CMAKE ?= cmake
CTEST ?= ctest
CLANG_FORMAT ?= clang-format
CLANG_TIDY ?= clang-tidy
FUZZ_CXX ?= clang++
FUZZ_SECONDS ?= 30
CMAKE_ARGS ?=
CTEST_ARGS ?=
BENCH_ARGS ?=
UA_BENCH_ARGS ?=
SECURITY_BENCH_ARGS ?=
PURCHASE_BENCH_ARGS ?= --customers 8 --duration 10
SANITIZE ?=
TIDY_JOBS ?= $(shell nproc)

compiler_name := $(notdir $(firstword $(CXX)))
ifeq ($(compiler_name),g++)
compiler_suffix :=
else ifeq ($(compiler_name),clang++)
compiler_suffix := -clang
else
compiler_suffix := -$(compiler_name)
endif

ifneq ($(filter 1 ON On on YES yes TRUE true,$(SANITIZE)),)
BUILD_DIR := build-asan$(compiler_suffix)
sanitize_args := -DSIPPAY_SANITIZE=ON
else
BUILD_DIR := build$(compiler_suffix)
sanitize_args :=
endif
BENCH_DIR := build-bench$(compiler_suffix)
FUZZ_DIR := build-fuzz

# C++ sources for clang-format; the fuzz corpus is data, not code.
format_dirs := $(wildcard src bench fuzz tests)
find_cxx_sources = find $(format_dirs) -path fuzz/corpus -prune -o -type f \
  \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cc' \) -print0

# $(call configure,BUILD_DIR,CMAKE_ARGUMENTS) configures BUILD_DIR with Ninja unless its
# build.ninja exists and was made with the same arguments, which the stamp file records.
define configure
args=(-G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON $(2) $(CMAKE_ARGS)); \
stamp='$(1)/.sippay-configure-args'; \
if [[ ! -f '$(1)/build.ninja' || "$$(cat "$$stamp" 2>/dev/null)" != "$${args[*]}" ]]; then \
  $(CMAKE) -S . -B '$(1)' "$${args[@]}"; \
  printf '%s\n' "$${args[*]}" > "$$stamp"; \
fi
endef

.PHONY: all bootstrap configure test bench fuzz demo format format-check tidy clean

all: configure
	$(CMAKE) --build $(BUILD_DIR)

bootstrap:
	@scripts/bootstrap

configure: bootstrap
	@$(call configure,$(BUILD_DIR),-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=$(CXX) $(sanitize_args))

test: all
	$(CTEST) --test-dir $(BUILD_DIR) --output-on-failure -j2 $(CTEST_ARGS)

bench: bootstrap
	@$(call configure,$(BENCH_DIR),-DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=$(CXX) -DSIPPAY_TESTS=OFF)
	$(CMAKE) --build $(BENCH_DIR)
	$(BENCH_DIR)/bench/sippay_bench $(BENCH_ARGS)
	$(BENCH_DIR)/bench/sippay_ua_bench $(UA_BENCH_ARGS)
	$(BENCH_DIR)/bench/sippay_security_bench $(SECURITY_BENCH_ARGS)
	bench/sipp_load.sh $(BENCH_DIR)/sippay
	bench/proxy_load.sh $(BENCH_DIR)/sippay
	$(BENCH_DIR)/sippay bench purchase $(PURCHASE_BENCH_ARGS)

fuzz: bootstrap
	@$(call configure,$(FUZZ_DIR),-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) -DSIPPAY_FUZZ=ON)
	$(CMAKE) --build $(FUZZ_DIR)
	FUZZ_SECONDS='$(FUZZ_SECONDS)' scripts/fuzz $(FUZZ_DIR)

demo: all
	scripts/demo $(BUILD_DIR)/sippay

format: bootstrap
	$(find_cxx_sources) | xargs -0 -r $(CLANG_FORMAT) -i

format-check: bootstrap
	$(find_cxx_sources) | xargs -0 -r $(CLANG_FORMAT) --dry-run -Werror

# Uses the g++ build's compile commands unless CXX selects another build directory.
# Clang does not know some GCC warning options, hence -Wno-unknown-warning-option.
tidy: configure
	find src -type f -name '*.cpp' -print0 | \
	  xargs -0 -r -n 4 -P $(TIDY_JOBS) $(CLANG_TIDY) -p $(BUILD_DIR) --quiet \
	    --extra-arg=-Wno-unknown-warning-option

clean:
	rm -rf build build-*/
