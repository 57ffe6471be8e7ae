# tests/targets.mk - the programs the end-to-end tests run ptprof against.
#
#   make targets     builds them all into build/targets/
#
# They always land in build/targets, whatever B is, so the sanitizer build
# (B=build/asan) and the normal build share one set of targets.  They are
# built with their own flags: frame pointers, debug info and a fixed
# optimization level are part of what each test expects.

TARGETS_DIR := build/targets
TARGET_SRC  := tests/targets
TARGET_CC   ?= $(CC)
TARGET_CXX  ?= $(CXX)
TARGET_FLAGS := -g -fno-omit-frame-pointer -pthread -Wall -Wextra \
                -I$(TARGET_SRC)
TARGET_COMMON := $(TARGET_SRC)/common.c $(TARGET_SRC)/common.h
CHAIN_SRC   := $(TARGET_SRC)/chain.c $(TARGET_SRC)/common.c

TARGET_PROGS := chain chain-O2 chain-nopie chain-stripped cxx holdtrace zombie churn pool \
                signals vforker oddname smashed ratio relay foldname \
                deadlock2 deadlock3 held many shortlib jitcode proctree cpuburn flip \
                sighandler rustv0 rawfutex-stripped

.PHONY: targets
targets: $(addprefix $(TARGETS_DIR)/,$(TARGET_PROGS))

# -O0, PIE (the compiler's default here): every function a real frame.
$(TARGETS_DIR)/chain: $(TARGET_SRC)/chain.c $(TARGET_COMMON)
	@mkdir -p $(@D)
	$(TARGET_CC) $(TARGET_FLAGS) -O0 -o $@ $(CHAIN_SRC)

# -O2 with chain_b and chain_c forced inline into chain_a.  Checked: they
# must have no symbol of their own and exist only as inlined DWARF entries,
# or the "(inlined)" tests would test nothing.
$(TARGETS_DIR)/chain-O2: $(TARGET_SRC)/chain.c $(TARGET_COMMON)
	@mkdir -p $(@D)
	$(TARGET_CC) $(TARGET_FLAGS) -O2 -DCHAIN_INLINE -o $@ $(CHAIN_SRC)
	@if nm $@ | grep -Eq ' chain_(b|c)$$'; then \
	    echo "$@: chain_b/chain_c were not inlined" >&2; rm -f $@; exit 1; fi
	@if [ "$$(readelf --debug-dump=info $@ | grep -c DW_TAG_inlined_subroutine)" -lt 2 ]; then \
	    echo "$@: no inlined-subroutine DWARF entries" >&2; rm -f $@; exit 1; fi

# -O0, not position independent: a fixed-address executable.
$(TARGETS_DIR)/chain-nopie: $(TARGET_SRC)/chain.c $(TARGET_COMMON)
	@mkdir -p $(@D)
	$(TARGET_CC) $(TARGET_FLAGS) -O0 -fno-pie -no-pie -o $@ $(CHAIN_SRC)

# -O0 with every symbol and all debug info stripped, the debug info kept in
# a separate file found only by build id.  The .debug file is deliberately
# NOT next to the binary (nor in .debug/): there libdw would find it through
# the debuglink without any help, and the "no --debug-dir" test would pass
# for the wrong reason.  The e2e test copies it to DIR/.build-id/xx/yyy.debug.
$(TARGETS_DIR)/chain-stripped: $(TARGET_SRC)/chain.c $(TARGET_COMMON)
	@mkdir -p $(@D) $(TARGETS_DIR)/separate-debug
	$(TARGET_CC) $(TARGET_FLAGS) -O0 -Wl,--build-id -o $@.full $(CHAIN_SRC)
	objcopy --only-keep-debug $@.full $(TARGETS_DIR)/separate-debug/chain-stripped.debug
	objcopy --strip-all --add-gnu-debuglink=$(TARGETS_DIR)/separate-debug/chain-stripped.debug \
	    $@.full $@
	rm -f $@.full
	@if nm $@ 2>/dev/null | grep -q chain_; then \
	    echo "$@: still has chain_* symbols" >&2; rm -f $@; exit 1; fi
	@if readelf -S $@ | grep -q '\.debug_info'; then \
	    echo "$@: still has .debug_info" >&2; rm -f $@; exit 1; fi

$(TARGETS_DIR)/cxx: $(TARGET_SRC)/cxx.cpp $(TARGET_COMMON)
	@mkdir -p $(@D)
	$(TARGET_CC) $(TARGET_FLAGS) -O0 -c -o $@-common.o $(TARGET_SRC)/common.c
	$(TARGET_CXX) $(TARGET_FLAGS) -O0 -o $@ $(TARGET_SRC)/cxx.cpp $@-common.o
	rm -f $@-common.o

# Stripped like chain-stripped, the debug file where no search finds it
# (the debuginfod tests serve it).
$(TARGETS_DIR)/rawfutex-stripped: $(TARGET_SRC)/rawfutex.c $(TARGET_COMMON)
	@mkdir -p $(@D) $(TARGETS_DIR)/separate-debug
	$(TARGET_CC) $(TARGET_FLAGS) -O0 -Wl,--build-id -o $@.full $< $(TARGET_SRC)/common.c
	objcopy --only-keep-debug $@.full $(TARGETS_DIR)/separate-debug/rawfutex-stripped.debug
	objcopy --strip-all $@.full $@
	rm -f $@.full
	@if nm $@ 2>/dev/null | grep -q raw_; then \
	    echo "$@: still has raw_* symbols" >&2; rm -f $@; exit 1; fi

# Rust v0 symbol names with no DWARF: only the symbol table names them.
$(TARGETS_DIR)/rustv0: $(TARGET_SRC)/rustv0.c $(TARGET_COMMON)
	@mkdir -p $(@D)
	$(TARGET_CC) $(TARGET_FLAGS) -g0 -O0 -o $@ $< $(TARGET_SRC)/common.c
	@if readelf -S $@ | grep -q '\.debug_info' || ! nm $@ | grep -q ' _RNv'; then \
	    echo "$@: has DWARF, or no v0 symbol" >&2; rm -f $@; exit 1; fi

$(TARGETS_DIR)/%: $(TARGET_SRC)/%.c $(TARGET_COMMON)
	@mkdir -p $(@D)
	$(TARGET_CC) $(TARGET_FLAGS) -O0 -o $@ $< $(TARGET_SRC)/common.c

# --- Go targets --------------------------------------------------------------
# Each folder tests/go/NAME holds one Go program (package main, standard
# library only), built offline with Debian's go into build/targets/go-NAME;
# go-NAME-sw is the same program built with -ldflags="-s -w" (no symbol
# table, no DWARF: what production builds ship), and go-NAME-cgo the same
# with cgo on (files with a `//go:build cgo` line join in, and the external
# linker adds C code and its .eh_frame).  A test target adds its names to
# GO_TARGETS.
GO_TARGETS :=
GO_HOME    := $(abspath $(TARGETS_DIR))/go-env
GO_ENV      = HOME=$(GO_HOME) GOCACHE=$(GO_HOME)/cache GOPATH=$(GO_HOME)/path GOFLAGS= \
              GOTOOLCHAIN=local GOPROXY=off GO111MODULE=off
GO_BUILD    = cd $(GO_SRC)/$(1) && $(GO_ENV) CGO_ENABLED=$(2) go build $(3) -o $(abspath $@) .
GO_SRC     := tests/go

.SECONDEXPANSION:
$(TARGETS_DIR)/go-%-sw: $$(wildcard $(GO_SRC)/$$*/*.go)
	@mkdir -p $(@D)
	$(call GO_BUILD,$*,0,-ldflags='-s -w')
	@if readelf -S $@ | grep -qE '\.debug_info|\.symtab'; then \
	    echo "$@: still has DWARF or a symbol table" >&2; rm -f $@; exit 1; fi

# -w: no DWARF, but a symbol table.
$(TARGETS_DIR)/go-%-w: $$(wildcard $(GO_SRC)/$$*/*.go)
	@mkdir -p $(@D)
	$(call GO_BUILD,$*,0,-ldflags='-w')
	@if readelf -S $@ | grep -q '\.debug_info' || ! readelf -S $@ | grep -q '\.symtab'; then \
	    echo "$@: has DWARF, or no symbol table" >&2; rm -f $@; exit 1; fi

$(TARGETS_DIR)/go-%-cgo: $$(wildcard $(GO_SRC)/$$*/*.go)
	@mkdir -p $(@D)
	$(call GO_BUILD,$*,1,)
	@if ! readelf -S $@ | grep -q '\.eh_frame'; then \
	    echo "$@: no C code linked in (no .eh_frame)" >&2; rm -f $@; exit 1; fi

$(TARGETS_DIR)/go-%: $$(wildcard $(GO_SRC)/$$*/*.go)
	@mkdir -p $(@D)
	$(call GO_BUILD,$*,0,)

targets: $$(addprefix $(TARGETS_DIR)/,$$(GO_TARGETS))

# pclnsample: known functions for the function-table tests; gostates:
# goroutines in known states for the goroutine reader's tests.
GO_TARGETS += go-pclnsample go-pclnsample-sw
GO_TARGETS += go-gostates

# gocpu: a busy goroutine split 3:1 between two frameless leaves, beside
# Go's own CPU profile; gorout: goroutines parked in known wait reasons,
# beside Go's own goroutine profiles; gomany: N parked goroutines (bench).
GO_TARGETS += go-gocpu go-gocpu-sw go-gocpu-cgo
GO_TARGETS += go-gorout go-gorout-sw
GO_TARGETS += go-gomany

# heapwrite: a heap profile written by Go itself (every allocation
# recorded), for report --sample-index against go tool pprof.
GO_TARGETS += go-heapwrite
# goheap: heap, mutex and block profile data from known functions, beside
# Go's own profiles of them; gonoprof: no runtime/pprof, so memory
# profiling is off; gogrow: a heap and a goroutine count growing at known
# rates; gosites: ~20000 heap-profile stacks (bench).
GO_TARGETS += go-goheap go-goheap-sw go-goheap-w
GO_TARGETS += go-gonoprof go-gogrow go-gosites
