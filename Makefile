# ptprof - sampling profiler for native Linux processes.
#
#   make            build build/ptprof
#   make demo       install missing packages, build, dump the demo workload
#   make check      install missing packages, build, run every test
#   make bench      compare ptprof with eu-stack, gdb and perf
#   make fuzz       fuzz the pprof reader for FUZZ_SECONDS (default 60)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DATADIR  ?= $(PREFIX)/share
DESTDIR  ?=

CC       ?= cc
PKG_CONFIG ?= pkg-config
PKGS     := libunwind-ptrace libdw libprotobuf-c zlib
# Compiled against, loaded by serve alone (src/serve/mhd.c): not linked.
DLPKGS   := libmicrohttpd
PROTO    ?= /usr/share/gocode/src/github.com/google/pprof/proto/profile.proto
UNISTD_H ?= /usr/include/x86_64-linux-gnu/asm/unistd_64.h

B        ?= build
VERSION  := 0.1.0

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter
OPT      ?= -O2 -g
SAN      ?=
CFLAGS_ALL = -std=gnu11 $(OPT) $(SAN) $(WARN) -pthread -D_GNU_SOURCE -DPTPROF_VERSION='"$(VERSION)"' \
             -Iinclude -I$(B)/gen $(shell $(PKG_CONFIG) --cflags $(PKGS) $(DLPKGS) 2>/dev/null) \
             $(CFLAGS)
LIBS     = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -liberty -lstdc++ -lm
LDFLAGS_ALL = $(SAN) -pthread $(LDFLAGS)

# The source folders, lowest first: each may use only itself and those
# before it (src/README.md; `make layers` checks it).  src/main.c, the
# dispatch table, sits on top of them all.
LAYERS   := util target golang stack profile output serve cli
LIBSRCS  := $(foreach d,$(LAYERS),$(sort $(wildcard src/$(d)/*.c)))
HEADERS  := $(foreach d,$(LAYERS),$(wildcard include/$(d)/*.h))
OBJS_LIB := $(LIBSRCS:src/%.c=$(B)/obj/%.o) $(B)/obj/gen/profile.pb-c.o \
            $(B)/obj/gen/syscall_table.o
DEPS     := $(OBJS_LIB:.o=.d) $(B)/obj/main.d

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/unit/%)

.PHONY: all deps demo check layers unit e2e e2e-asan docs-check fuzz fuzz-replay bench install \
        clean
.DELETE_ON_ERROR:

all: $(B)/ptprof

$(B)/gen/profile.pb-c.c $(B)/gen/profile.pb-c.h: $(PROTO)
	@mkdir -p $(B)/gen
	cp $(PROTO) $(B)/gen/profile.proto
	cd $(B)/gen && protoc-c --c_out=. profile.proto

$(B)/gen/syscall_table.c: $(UNISTD_H) tools/gen-syscalls.sh
	@mkdir -p $(B)/gen
	sh tools/gen-syscalls.sh $(UNISTD_H) > $@

$(B)/obj/%.o: src/%.c $(B)/gen/profile.pb-c.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/obj/gen/profile.pb-c.o: $(B)/gen/profile.pb-c.c
	@mkdir -p $(@D)
	$(CC) $(filter-out $(WARN),$(CFLAGS_ALL)) -w -c -o $@ $<

$(B)/obj/gen/syscall_table.o: $(B)/gen/syscall_table.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/libptprof.a: $(OBJS_LIB)
	rm -f $@
	ar rcs $@ $^

$(B)/ptprof: $(B)/obj/main.o $(B)/libptprof.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

-include $(DEPS)

# --- set-up ---------------------------------------------------------------
deps:
	@sh tools/deps.sh

# --- the demo -------------------------------------------------------------
$(B)/demo-workload: tools/demo/workload.c
	$(CC) -std=gnu11 -O2 -g -fno-omit-frame-pointer -D_GNU_SOURCE -pthread $(WARN) -o $@ $<

# The Go service of the demo, built offline like the Go test targets.
$(B)/demo-goworkload: tools/demo/goworkload/main.go
	@mkdir -p $(B)/go-env
	cd tools/demo/goworkload && HOME=$(abspath $(B))/go-env GOCACHE=$(abspath $(B))/go-env/cache \
	    GOPATH=$(abspath $(B))/go-env/path GOFLAGS= GOTOOLCHAIN=local GOPROXY=off \
	    GO111MODULE=off CGO_ENABLED=0 go build -o $(abspath $@) .

demo: deps
	$(MAKE) all $(B)/demo-workload $(B)/demo-goworkload
	sh tools/demo.sh $(B)

# --- tests ----------------------------------------------------------------
include tests/targets.mk

$(B)/unit/%: tests/unit/%.c $(B)/libptprof.a
	@mkdir -p $(B)/unit
	$(CC) $(CFLAGS_ALL) -o $@ $< $(B)/libptprof.a $(LIBS) -lcmocka $(LDFLAGS_ALL)

# The .gopclntab tests read the Go test program's files.
$(B)/unit/test_gopclntab $(B)/unit/test_gopclntab_hostile: tests/unit/gopcln_fixture.h \
    $(TARGETS_DIR)/go-pclnsample $(TARGETS_DIR)/go-pclnsample-sw
# Unit tests that run a test program need it built first.
$(B)/unit/test_goruntime: | $(TARGETS_DIR)/go-gostates $(TARGETS_DIR)/chain
$(B)/unit/test_modules_maps: | $(TARGETS_DIR)/chain $(TARGETS_DIR)/chain-nopie
# sampler_run's thread fails to start: pthread_create wrapped by the test.
$(B)/unit/test_sampler_start: LDFLAGS += -Wl,--wrap=pthread_create

unit: $(UNIT_BINS)
	sh tests/run-unit.sh $(UNIT_BINS)

e2e: all targets
	sh tests/run-e2e.sh $(B)/ptprof

# The end-to-end suite once more under AddressSanitizer and UBSan.
e2e-asan:
	$(MAKE) B=build/asan OPT='-O1 -g' \
	    SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' \
	    build/asan/ptprof
	$(MAKE) targets
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    PTPROF_SANITIZED=1 sh tests/run-e2e.sh build/asan/ptprof

docs-check: all
	sh tests/check-docs.sh $(B)/ptprof

# --- fuzzing --------------------------------------------------------------
# The pprof reader fed hostile bytes, built from the sources themselves.
# `make fuzz`: libFuzzer (clang) for FUZZ_SECONDS, seeded from
# tests/fuzz/corpus; what crashes lands in tests/fuzz/crashes.
# `make fuzz-replay` (part of check): every saved input once more under
# gcc's ASan+UBSan, no libFuzzer needed.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SRCS    := src/output/pprof_read.c src/profile/stacks.c src/util/hashmap.c \
                src/util/xalloc.c src/util/error.c src/util/numparse.c $(B)/gen/profile.pb-c.c \
                tests/fuzz/fuzz_pprof_read.c
FUZZ_FLAGS    = -std=gnu11 -O1 -g -fno-omit-frame-pointer $(WARN) -D_GNU_SOURCE -Iinclude \
                -I$(B)/gen $(shell $(PKG_CONFIG) --cflags libprotobuf-c zlib 2>/dev/null)
FUZZ_LIBS     = $(shell $(PKG_CONFIG) --libs libprotobuf-c zlib 2>/dev/null)

$(B)/fuzz/fuzz_pprof_read: $(FUZZ_SRCS) $(B)/gen/profile.pb-c.h $(HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -o $@ $(FUZZ_SRCS) $(FUZZ_LIBS)

$(B)/fuzz/replay: tests/fuzz/replay.c $(FUZZ_SRCS) $(B)/gen/profile.pb-c.h $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(FUZZ_FLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -o $@ tests/fuzz/replay.c $(FUZZ_SRCS) $(FUZZ_LIBS)

fuzz: $(B)/fuzz/fuzz_pprof_read
	@mkdir -p $(B)/fuzz/corpus tests/fuzz/crashes
	$< -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix=tests/fuzz/crashes/ $(B)/fuzz/corpus tests/fuzz/corpus

fuzz-replay: $(B)/fuzz/replay
	ASAN_OPTIONS=detect_leaks=1 $< $(wildcard tests/fuzz/corpus/* tests/fuzz/crashes/*)

# The tree keeps the order src/README.md gives it: no file outside a layer
# folder, no include or symbol reaching a later layer, no two files that use
# each other.
layers: all
	sh tools/check-layers.sh "$(LAYERS)" $(B)/obj

check: deps
	$(MAKE) all targets layers
	sh tests/run-all.sh

bench: deps
	$(MAKE) all targets
	sh bench/run.sh $(B)

# --- install --------------------------------------------------------------
install: all
	install -D -m 0755 $(B)/ptprof $(DESTDIR)$(BINDIR)/ptprof
	install -D -m 0644 man/ptprof.1 $(DESTDIR)$(MANDIR)/man1/ptprof.1
	install -D -m 0644 completions/ptprof.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/ptprof
	install -D -m 0644 completions/_ptprof $(DESTDIR)$(DATADIR)/zsh/vendor-completions/_ptprof
	install -D -m 0644 completions/ptprof.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/ptprof.fish

clean:
	rm -rf build
