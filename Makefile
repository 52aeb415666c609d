# sametable — build, demo, tests. `make demo` and `make check` work on a fresh Debian machine.
.SUFFIXES:
SHELL     := /bin/bash

PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
ifeq ($(origin CC),default)
CC        := gcc
endif
VERSION   := 0.1.0

WARN      := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion \
             -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition \
             -Wvla -Wcast-qual -Wundef -Wwrite-strings -Wpointer-arith -Werror
CPPFLAGS  += -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -DSAMETABLE_VERSION='"$(VERSION)"' \
             -Iinclude -isystem /usr/include/iniparser
OPT       ?= -O2 -g
CFLAGS    := $(OPT) -std=c17 -pthread $(WARN) $(EXTRA_CFLAGS)
LDFLAGS   += $(EXTRA_LDFLAGS)
LDLIBS    := -lxlsxwriter -lcsv -liniparser -lsqlite3 -lcrypto -lz -lm -pthread
TEST_LIBS := -lcriterion

# Debian packages the build, the demo and the tests need; `make deps` installs the missing ones.
DEB_PKGS  := gcc make pkg-config libxlsxwriter-dev libcsv-dev libiniparser-dev libcriterion-dev \
             libssl-dev libsqlite3-dev zlib1g-dev tzdata python3 python3-openpyxl valgrind clang-format \
             libreoffice-calc-nogui

LIB_SRCS  := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
LIB       := $(BUILD)/libsametable.a
BIN       := $(BUILD)/sametable
GEN       := $(BUILD)/sametable-gen
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
FUZZ_TARGETS := csvin money date
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/replay_%,$(FUZZ_TARGETS))

DEMO_CONFIG := config/sametable.ini
DEMO_OUT    := out

.PHONY: all deps demo check unit e2e asan valgrind format format-check install uninstall clean samples \
        bench bench-deps fuzz fuzz-replay tsan

all: $(BIN) $(GEN)

deps:
	@missing=""; \
	for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/obj/%.o: src/%.c | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/gen/%.o: src/gen/%.c | $(BUILD)/obj/gen
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/obj/main.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(GEN): $(BUILD)/obj/gen/sametable-gen.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP $< $(LIB) $(LDFLAGS) $(TEST_LIBS) $(LDLIBS) -o $@

# A fuzz target's entry point with tests/fuzz/replay.c's main instead of libFuzzer.
$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIB) | $(BUILD)/fuzz
	$(CC) $(CPPFLAGS) $(CFLAGS) $(filter %.c,$^) $(LIB) $(LDFLAGS) $(LDLIBS) -o $@

$(BUILD)/obj $(BUILD)/obj/gen $(BUILD)/tests $(BUILD)/fuzz:
	mkdir -p $@

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/gen/*.d $(BUILD)/tests/*.d)

# The nightly job on the bundled samples; the as-of date is pinned in the sample config.
demo: deps all
	$(BIN) run -c $(DEMO_CONFIG) --out $(DEMO_OUT) --statements $(DEMO_OUT)/statements
	@echo "demo: workbooks and CSV files written to $(DEMO_OUT)/:"; ls -1 $(DEMO_OUT)

# Regenerate the committed samples (the generator is deterministic for a given scale and seed).
samples: $(GEN)
	$(GEN) --scale 1 --seed 42 --contacts --out samples

unit: $(UNIT_BINS)
	@pass=0; fail=0; \
	for t in $(UNIT_BINS); do \
	  if $(TEST_WRAP) $$t --jobs 1 </dev/null; then pass=$$((pass+1)); else fail=$$((fail+1)); echo "FAILED: $$t"; fi; \
	done; \
	echo "unit: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

# Every file of tests/fuzz/corpus/<target> (seeds and reproducers) through its fuzz target.
fuzz-replay: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
	  $(TEST_WRAP) $(BUILD)/fuzz/replay_$$t tests/fuzz/corpus/$$t/* </dev/null || { echo "FAILED: fuzz-replay $$t"; exit 1; }; \
	  echo "fuzz-replay: $$t, $$(ls tests/fuzz/corpus/$$t | wc -l) inputs and the empty one"; \
	done

e2e: $(BIN) $(GEN)
	BIN=$(BIN) GEN=$(GEN) TEST_WRAP="$(TEST_WRAP)" bash tests/e2e/run.sh </dev/null

check: deps
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory fuzz-replay
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory tsan

# Not part of `check`: generates ~1 GB of inputs outside the repo and measures (tests/bench).
$(BUILD)/libcsv_baseline: tests/bench/libcsv_baseline.c
	$(CC) -O2 -std=c17 -D_DEFAULT_SOURCE $< -lcsv -o $@

bench: deps all $(BUILD)/libcsv_baseline
	BIN=$(BIN) GEN=$(GEN) BASELINE=$(BUILD)/libcsv_baseline /usr/bin/python3 tests/bench/bench.py

# Only scripts/bench-compare's pandas peer needs these (~100 MB with numpy), so not in DEB_PKGS;
# its DuckDB peer is installed by the script itself with npm into build-bench/.
BENCH_DEB_PKGS := python3-pandas python3-xlsxwriter strace
bench-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(BENCH_DEB_PKGS)"

# Not part of `check`: libFuzzer targets for the CSV reader and the money and date parsers.
fuzz:
	bash scripts/fuzz.sh

# Address + undefined-behaviour sanitizers over the whole suite, in a separate build tree.
asan: deps
	$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" all unit fuzz-replay e2e

# ThreadSanitizer over the reader's two-thread pipeline (csvin_pipe.c): Criterion cannot run under
# TSan (its issue 274), so a standalone driver, built with the reader's sources in build-tsan.
TSAN_SRCS := src/csvin.c src/csvin_pipe.c src/diag.c src/progress.c src/util.c tests/tsan/tsan_csvin.c
build-tsan/tsan_csvin: $(TSAN_SRCS) $(wildcard include/*.h src/*.h)
	mkdir -p build-tsan
	$(CC) $(CPPFLAGS) -O1 -g -std=c17 -pthread $(WARN) -fsanitize=thread $(TSAN_SRCS) -lcsv -o $@

# The whole program too, for the writer threads (run.c: several output files written at once).
build-tsan/sametable: $(wildcard src/*.c include/*.h src/*.h)
	mkdir -p build-tsan
	$(CC) $(CPPFLAGS) -O1 -g -std=c17 -pthread $(WARN) -fsanitize=thread $(wildcard src/*.c) \
	  $(LDLIBS) -o $@

tsan: deps build-tsan/tsan_csvin build-tsan/sametable
	bash tests/tsan/run.sh build-tsan/tsan_csvin
	bash tests/tsan/run_program.sh build-tsan/sametable

# The whole suite under valgrind's memcheck (Criterion forks; --trace-children follows the tests).
valgrind: deps
	$(MAKE) --no-print-directory BUILD=build-vg OPT="-O0 -g" \
	  TEST_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --trace-children=yes --track-fds=no" \
	  all unit fuzz-replay e2e

FORMAT_FILES = $(wildcard src/*.c src/gen/*.c include/*.h tests/unit/*.c tests/tsan/*.c)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/sametable
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/sametable
	install -m 0644 scripts/sametable.1 $(DESTDIR)$(PREFIX)/share/man/man1/sametable.1
	install -m 0644 config/sametable.ini README.md $(DESTDIR)$(PREFIX)/share/doc/sametable/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/sametable $(DESTDIR)$(PREFIX)/share/man/man1/sametable.1
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/sametable

clean:
	rm -rf build build-asan build-vg build-tsan out
