#!/bin/sh
# check-docs.sh PTPROF - keep the man page, the shell completions and
# --help in step with the option tables compiled into PTPROF.
#
# `PTPROF --list-options` prints one line per option:
#     SUBCOMMAND --long -s ARG VALUES...
# with "-" for an absent field (SUBCOMMAND "-" is a global option).
# For each option this checks that its long name (and short name, and
# each of its VALUES) appears in man/ptprof.1, in the bash, zsh and fish
# completions, and in `PTPROF SUBCOMMAND --help`.  Each subcommand name
# must appear in all of them as well.  In the other direction, every
# --option named by `PTPROF SUBCOMMAND --help` or offered by a completion
# must be a listed option (or --help/--version).
#
# One line per check ("PASS: ..." / "FAIL: ..." / "SKIP: ..."), then
# "N passed, N failed".  Exits 1 if any check failed.

# shellcheck disable=SC2317  # functions below are called through check()

LC_ALL=C
export LC_ALL

if [ $# -ne 1 ]; then
	echo "usage: $0 PTPROF" >&2
	exit 64
fi
ptprof=$1
top=$(cd "$(dirname "$0")/.." && pwd) || exit 2

man="$top/man/ptprof.1"
bash_comp="$top/completions/ptprof.bash"
zsh_comp="$top/completions/_ptprof"
fish_comp="$top/completions/ptprof.fish"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-docs.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
skip() { echo "SKIP: $*"; }
# check DESCRIPTION COMMAND...: PASS if COMMAND succeeds.
check() {
	desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] || exit 1
	exit 0
}

# Regular expressions (ERE) for a long option NAME (without dashes).
# In roff a hyphen may be written "-" or "\-", so every hyphen of the
# option, its leading pair included, may carry a backslash.  After the name
# must come something that cannot continue it (so --no-line does not match
# --no-lines).
re_end='([^[:alnum:]\\-]|\\[^-]|$)'
man_long_re() {
	printf '\\\\?-\\\\?-%s%s' "$(printf '%s' "$1" | sed 's/-/\\\\?-/g')" "$re_end"
}
plain_long_re() {
	printf -- '--%s([^[:alnum:]_-]|$)' "$1"
}
# fish writes long options as "-l NAME" (or "--long-option NAME").
fish_long_re() {
	printf -- "(--%s|(-l|--long-option)[[:space:]]+['\"]?%s)([^[:alnum:]_-]|$)" "$1" "$1"
}
# Short option letter C.
man_short_re() {
	printf '(^|[^-])\\\\?-%s%s' "$1" "$re_end"
}
plain_short_re() {
	printf -- '(^|[^[:alnum:]_-])-%s([^[:alnum:]_-]|$)' "$1"
}
# In fish "-f" means "no files", so only "-s C" counts.
fish_short_re() {
	printf -- "(-s|--short-option)[[:space:]]+['\"]?%s([^[:alnum:]_-]|$)" "$1"
}
# A word: a subcommand name or a value.
word_re() {
	printf -- '(^|[^[:alnum:]_-])%s([^[:alnum:]_-]|$)' "$1"
}
# In roff a word may follow a font escape such as \fB, or be followed by one.
man_word_re() {
	printf -- '(^|[^[:alnum:]_\\-]|\\f[BIRP])%s%s' "$1" "$re_end"
}

has() { grep -Eq -- "$2" "$1" 2>/dev/null; }

# The completions are searched without their comments, and for fish only
# in its `complete` commands (its functions use "-l" for local variables).
bash_src=$bash_comp
zsh_src=$zsh_comp
fish_src=$fish_comp
bash_comp="$tmp/ptprof.bash"
zsh_comp="$tmp/_ptprof"
fish_comp="$tmp/ptprof.fish"
grep -v '^[[:space:]]*#' "$bash_src" >"$bash_comp" 2>/dev/null
grep -v '^[[:space:]]*#' "$zsh_src" >"$zsh_comp" 2>/dev/null
grep '^[[:space:]]*complete[[:space:]]' "$fish_src" >"$fish_comp" 2>/dev/null

# --- the listing ------------------------------------------------------------
if ! "$ptprof" --list-options >"$tmp/list" 2>"$tmp/list.err"; then
	fail "$ptprof --list-options runs ($(head -n 1 "$tmp/list.err"))"
	finish
fi
if ! [ -s "$tmp/list" ]; then
	fail "$ptprof --list-options prints options"
	finish
fi
if awk 'NF < 5 || $2 !~ /^--[a-z0-9][a-z0-9-]*$/ || ($3 != "-" && $3 !~ /^-[[:alnum:]]$/) { bad = 1; print "  bad line: " $0 } END { exit bad }' "$tmp/list"; then
	pass "every --list-options line is \"SUBCOMMAND --long -s ARG VALUES\""
else
	fail "every --list-options line is \"SUBCOMMAND --long -s ARG VALUES\""
fi
awk '{ print $1 }' "$tmp/list" | grep -v '^-$' | sort -u >"$tmp/subs"
awk '{ print $2 }' "$tmp/list" | sort -u >"$tmp/longs"
# `help SUBCOMMAND` is a subcommand without options of its own.
{ cat "$tmp/subs"; echo help; } | sort -u >"$tmp/subs.all"

# --- the files exist ----------------------------------------------------------
for f in "$man" "$bash_src" "$zsh_src" "$fish_src"; do
	if [ -r "$f" ]; then
		pass "${f#"$top"/} exists"
	else
		fail "${f#"$top"/} exists"
	fi
done

# --- syntax ---------------------------------------------------------------------
if command -v groff >/dev/null 2>&1; then
	if [ -r "$man" ] && groff -man -Tutf8 -ww "$man" 2>"$tmp/groff.err" >/dev/null &&
	   ! [ -s "$tmp/groff.err" ]; then
		pass "man/ptprof.1 formats without groff warnings"
	else
		fail "man/ptprof.1 formats without groff warnings"
		sed 's/^/  /' "$tmp/groff.err"
	fi
else
	skip "man/ptprof.1 formats without groff warnings (no groff)"
fi
check "completions/ptprof.bash parses (bash -n)" bash -n "$bash_src"
for sh in zsh fish; do
	if command -v $sh >/dev/null 2>&1; then
		if [ $sh = zsh ]; then f=$zsh_src; else f=$fish_src; fi
		check "${f#"$top"/} parses ($sh -n)" $sh -n "$f"
	else
		skip "completions for $sh parse ($sh not installed)"
	fi
done

# --- help texts -------------------------------------------------------------
if "$ptprof" --help >"$tmp/help.-" 2>&1; then
	pass "ptprof --help exits 0"
else
	fail "ptprof --help exits 0"
fi
while read -r sub; do
	if "$ptprof" "$sub" --help >"$tmp/help.$sub" 2>&1; then
		pass "ptprof $sub --help exits 0"
	else
		fail "ptprof $sub --help exits 0"
	fi
	if "$ptprof" help "$sub" >"$tmp/helpcmd.$sub" 2>&1 &&
	   cmp -s "$tmp/help.$sub" "$tmp/helpcmd.$sub"; then
		pass "ptprof help $sub prints the same as ptprof $sub --help"
	else
		fail "ptprof help $sub prints the same as ptprof $sub --help"
	fi
done <"$tmp/subs"

# --- subcommands everywhere -------------------------------------------------
while read -r sub; do
	re=$(word_re "$sub")
	check "subcommand $sub in man/ptprof.1" has "$man" "$(man_word_re "$sub")"
	check "subcommand $sub in completions/ptprof.bash" has "$bash_comp" "$re"
	check "subcommand $sub in completions/_ptprof" has "$zsh_comp" "$re"
	check "subcommand $sub in completions/ptprof.fish" has "$fish_comp" "$re"
	check "subcommand $sub in ptprof --help" has "$tmp/help.-" "$re"
done <"$tmp/subs.all"

# --- every listed option everywhere -----------------------------------------
while read -r sub long short _arg values; do
	name=${long#--}
	if [ "$sub" = - ]; then
		what=$long
		help="$tmp/help.-"
		helpname="ptprof --help"
	else
		what="$sub $long"
		help="$tmp/help.$sub"
		helpname="ptprof $sub --help"
	fi
	check "$what in man/ptprof.1" has "$man" "$(man_long_re "$name")"
	check "$what in completions/ptprof.bash" has "$bash_comp" "$(plain_long_re "$name")"
	check "$what in completions/_ptprof" has "$zsh_comp" "$(plain_long_re "$name")"
	check "$what in completions/ptprof.fish" has "$fish_comp" "$(fish_long_re "$name")"
	check "$what in $helpname" has "$help" "$(plain_long_re "$name")"

	if [ "$short" != - ]; then
		c=${short#-}
		check "$what short form $short in man/ptprof.1" has "$man" "$(man_short_re "$c")"
		check "$what short form $short in completions/ptprof.bash" has "$bash_comp" "$(plain_short_re "$c")"
		check "$what short form $short in completions/_ptprof" has "$zsh_comp" "$(plain_short_re "$c")"
		check "$what short form $short in completions/ptprof.fish" has "$fish_comp" "$(fish_short_re "$c")"
		check "$what short form $short in $helpname" has "$help" "$(plain_short_re "$c")"
	fi

	[ "$values" = - ] && continue
	for v in $values; do
		re=$(word_re "$v")
		check "$what value $v in man/ptprof.1" has "$man" "$(man_word_re "$v")"
		check "$what value $v in completions/ptprof.bash" has "$bash_comp" "$re"
		check "$what value $v in completions/_ptprof" has "$zsh_comp" "$re"
		check "$what value $v in completions/ptprof.fish" has "$fish_comp" "$re"
	done
done <"$tmp/list"

# --- the other direction: nothing mentioned that is not listed --------------
# --help and --version are handled before any option table is consulted.
known() {
	[ "$1" = --help ] || [ "$1" = --version ] || grep -Fxq -- "$1" "$tmp/longs"
}
# Long options named in a text, one per line.
long_words() {
	tr -c 'a-z0-9-' '\n' <"$1" | grep -E '^--[a-z0-9][a-z0-9-]*$' | sort -u
}
while read -r sub; do
	long_words "$tmp/help.$sub" >"$tmp/named"
	while read -r opt; do
		if awk -v s="$sub" -v o="$opt" '($1 == s || $1 == "-") && $2 == o { f = 1 } END { exit !f }' "$tmp/list" ||
		   [ "$opt" = --help ] || [ "$opt" = --version ]; then
			pass "$opt from ptprof $sub --help is in --list-options"
		else
			fail "$opt from ptprof $sub --help is in --list-options"
		fi
	done <"$tmp/named"
done <"$tmp/subs"

# Completions must not offer options that do not exist.  (The man page may
# name planned options in its NOTES, so it is not checked this way.)
for f in ptprof.bash _ptprof; do
	long_words "$tmp/$f" >"$tmp/named"
	while read -r opt; do
		check "$opt offered by completions/$f is in --list-options" known "$opt"
	done <"$tmp/named"
done
# fish's own flags are long options too, so only "-l NAME" counts there.
grep -oE -- "(^|[[:space:]])(-l|--long-option)[[:space:]]+['\"]?[a-z0-9][a-z0-9-]*" "$fish_comp" 2>/dev/null |
	sed -E "s/.*[[:space:]]['\"]?/--/" | sort -u >"$tmp/named"
while read -r opt; do
	check "$opt offered by completions/ptprof.fish is in --list-options" known "$opt"
done <"$tmp/named"

# The README's first paragraph says what ptprof is now: every subcommand it
# names is one that exists, and nothing is called planned.
readme="$top/README.md"
awk 'NR > 1 && /^$/ && seen { exit } NR > 1 && !/^$/ { seen = 1; print }' "$readme" >"$tmp/intro"
check "the README's first paragraph calls nothing planned" \
	sh -c '! grep -qiE "planned|not yet|coming soon|to come" "$1"' sh "$tmp/intro"
for sub in dump record top report; do
	check "the README's first paragraph names $sub" has "$tmp/intro" "\`$sub\`"
done
grep -oE '`[a-z]+`' "$tmp/intro" | tr -d '`' | sort -u >"$tmp/intro.words"
while read -r w; do
	case $w in dump | record | top | report | heap | allocs | mutex | block | serve) ;; *) continue ;; esac
	check "$w, named in the README's first paragraph, is a subcommand" has "$tmp/subs" "^$w\$"
done <"$tmp/intro.words"

finish
