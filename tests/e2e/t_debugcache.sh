# tests/e2e/t_debugcache.sh - the inflated copies of compressed debug files
# (stack/debugcache.h): written by the first run that meets such a file,
# read in place by the next, never trusted when they are not ours or not
# that file's.
#
# The target is chain-stripped; its separate debug file, compressed with
# objcopy as distributions ship theirs, is found through --debug-dir.
# Uses dump_chain_O0_ok (t_dump.sh).

# Sets CACHE_ID (the build id), CACHE_ORIG (the compressed debug file)
# and CACHE_ROOT (its --debug-dir).  ptprof writes no copy on a disk it
# would leave with less than 1 GiB free: then there is nothing to test.
compressed_debug_root() {
	local avail
	avail=$(df -Pk "$T" | awk 'NR == 2 { print $4 }')
	[ "${avail:-0}" -gt $((2 * 1024 * 1024)) ] || skip "less than 2 GiB free under $T"
	local bin=$TARGETS_DIR/chain-stripped
	CACHE_ID=$(readelf -n "$bin" | awk '/Build ID:/ { print $3 }')
	[ -n "$CACHE_ID" ] || fail "$bin has no build id"
	CACHE_ROOT=$T/debugroot
	CACHE_ORIG=$CACHE_ROOT/.build-id/${CACHE_ID:0:2}/${CACHE_ID:2}.debug
	mkdir -p "${CACHE_ORIG%/*}"
	objcopy --compress-debug-sections=zlib "$TARGETS_DIR/separate-debug/chain-stripped.debug" \
		"$CACHE_ORIG" || fail "objcopy --compress-debug-sections failed"
	[ "$(compressed_sections "$CACHE_ORIG")" -gt 0 ] || fail "objcopy left $CACHE_ORIG uncompressed"
}

# How many sections of ELF file $1 are stored compressed (SHF_COMPRESSED),
# read from the section headers themselves.
compressed_sections() {
	python3 -c '
import struct, sys
f = open(sys.argv[1], "rb").read()
assert f[:4] == b"\x7fELF" and f[4] == 2, "not ELF64"
shoff, = struct.unpack_from("<Q", f, 0x28)
shentsize, shnum = struct.unpack_from("<HH", f, 0x3a)
print(sum(1 for i in range(shnum)
          if struct.unpack_from("<Q", f, shoff + i * shentsize + 8)[0] & 0x800))' "$1" ||
		fail "$1 is not an ELF64 file"
}

# readelf's DWARF dump of $1, without the file's name.
dwarf_text() {
	readelf -w "$1" 2>/dev/null | sed 's/ (loaded from [^)]*)//'
}

t_debugcache_written_then_read() {
	command -v strace >/dev/null || skip "strace is not installed"
	compressed_debug_root
	local copy=$T/cache/$CACHE_ID.debug
	export PTPROF_CACHE_DIR=$T/cache
	start_target chain-stripped
	local pid=$LAST_PID

	# First run: names from the compressed file, the copy written after.
	dump_chain_O0_ok -v --debug-dir "$CACHE_ROOT" -p "$pid"
	assert_match "$T/err" "^ptprof: debug cache: wrote $copy \([0-9.]+ MB inflated\)"
	[ -f "$copy" ] || fail "no copy at $copy"
	assert_eq "$(compressed_sections "$copy")" 0 "compressed sections in the copy"
	assert_eq "$(readelf -n "$copy" | awk '/Build ID:/ { print $3 }')" "$CACHE_ID" "the copy's build id"
	dwarf_text "$CACHE_ORIG" >"$T/dwarf.orig"
	dwarf_text "$copy" >"$T/dwarf.copy"
	[ -s "$T/dwarf.orig" ] || fail "readelf -w printed nothing for $CACHE_ORIG"
	cmp -s "$T/dwarf.orig" "$T/dwarf.copy" || { diff "$T/dwarf.orig" "$T/dwarf.copy" | head -20; fail "the copy's DWARF differs"; }
	assert_eq "$(stat -c %a "$T/cache")" 700 "mode of the new cache directory"
	thread_block "$T/out" sleeper >"$T/sleeper.1"

	# Second run: the copy is read, the compressed file never opened.
	dump_straced openat "$T/opens" -v --debug-dir "$CACHE_ROOT" -p "$pid"
	assert_rc 0
	grep -q "\"$copy\", O_RDONLY" "$T/opens" || fail "the copy was not opened"
	! grep -q "\"$CACHE_ORIG\"" "$T/opens" || fail "the compressed file was opened although a copy exists"
	assert_match "$T/err" "^ptprof: debug cache: [0-9]+ inflated cop(y|ies) read from $T/cache$"
	assert_no_match "$T/err" 'debug cache: wrote'
	split_chain_blocks
	assert_chain_busy_O0
	assert_chain_blocked_threads
	thread_block "$T/out" sleeper >"$T/sleeper.2"
	cmp -s "$T/sleeper.1" "$T/sleeper.2" || { diff "$T/sleeper.1" "$T/sleeper.2"; fail "the sleeper's stack changed with the copy"; }

	# Turned off: neither read nor written, nothing under HOME.
	unset PTPROF_CACHE_DIR XDG_CACHE_HOME
	PTPROF_CACHE_DIR=off HOME=$T/home dump_straced openat "$T/opens" -v --debug-dir "$CACHE_ROOT" -p "$pid"
	assert_rc 0
	! grep -q '/cache/' "$T/opens" || fail "PTPROF_CACHE_DIR=off still opened a copy"
	assert_no_match "$T/err" 'debug cache'
	[ ! -e "$T/home/.cache" ] || fail "PTPROF_CACHE_DIR=off wrote under HOME"

	# The default place: HOME's .cache.
	HOME=$T/home dump -v --debug-dir "$CACHE_ROOT" -p "$pid"
	assert_rc 0
	[ -f "$T/home/.cache/ptprof/debug/$CACHE_ID.debug" ] || fail "no copy under HOME/.cache/ptprof/debug"
	assert_untouched "$pid"
	stop_target "$pid"
}

# Whatever sits at the copy's name and is not a good copy of ours is passed
# over (the names still come from the compressed file) and replaced.
t_debugcache_bad_copies() {
	compressed_debug_root
	local copy=$T/cache/$CACHE_ID.debug
	export PTPROF_CACHE_DIR=$T/cache
	start_target chain-stripped
	local pid=$LAST_PID
	dump_chain_O0_ok --debug-dir "$CACHE_ROOT" -p "$pid"
	cp "$copy" "$T/good"
	local what
	for what in truncated other-build-id group-writable symlink fifo compressed; do
		rm -f "$copy"
		case $what in
		truncated) head -c 4096 "$T/good" >"$copy" ;;
		other-build-id) cp "$TARGETS_DIR/chain-O2" "$copy" ;;
		group-writable) cp "$T/good" "$copy" && chmod 664 "$copy" ;;
		symlink) ln -s "$T/good" "$copy" ;;
		fifo) mkfifo "$copy" ;;
		compressed) cp "$CACHE_ORIG" "$copy" ;;
		esac
		# Names and lines, and the copy written again: it was passed
		# over (a copy is written only for a file found compressed).
		dump_chain_O0_ok -v --debug-dir "$CACHE_ROOT" -p "$pid"
		assert_match "$T/err" "^ptprof: debug cache: wrote $copy "
		[ -f "$copy" ] && [ ! -L "$copy" ] || fail "$what: the copy was not replaced by a file"
		cmp -s "$copy" "$T/good" || fail "$what: the copy written again differs from the first"
		assert_eq "$(stat -c %a "$copy")" 600 "$what: mode of the copy written again"
	done
	# A directory that cannot be made costs nothing but the copy.
	: >"$T/file"
	PTPROF_CACHE_DIR=$T/file/sub dump_chain_O0_ok --debug-dir "$CACHE_ROOT" -p "$pid"
	[ ! -s "$T/err" ] || { show_file stderr "$T/err" 5; fail "something said on stderr without -v"; }
	stop_target "$pid"
}
