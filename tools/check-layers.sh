#!/bin/sh
# check-layers.sh - the source tree keeps the shape src/README.md gives it.
#
#   sh tools/check-layers.sh "LAYERS" [OBJ_DIR]
#
# LAYERS lists the folders of src/ and include/, lowest first.  Checked:
#   - src/ and include/ hold the layer folders (and src/main.c), nothing
#     else, and those hold files, not folders; none holds more than 25;
#   - every header starts with a comment naming it ("/* name.h - ...");
#   - the table of src/README.md lists the layers, in the same order;
#   - every #include "..." names a header of its own layer or an earlier one,
#     spelled "layer/name.h" (generated headers from the build excepted);
#   - with OBJ_DIR (the compiled objects): no object uses a symbol defined
#     in a later layer, and no two files use each other, even through a
#     chain (a cycle is found by tsort).
# Prints one line per violation and exits 1 if there was any.
set -u
LAYERS=$1
OBJ=${2:-}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
# Failures are appended to a file, so those found in a subshell count too.
fail() {
	printf 'check-layers: %s\n' "$*" | tee -a "$tmp/failures" >&2
}

rank() { # layer -> its position, or nothing
	i=0
	for l in $LAYERS; do
		i=$((i + 1))
		[ "$l" = "$1" ] && echo $i && return
	done
}

for f in src/* include/*; do
	case $f in
	src/main.c | src/README.md) continue ;;
	esac
	[ -d "$f" ] && [ -n "$(rank "${f#*/}")" ] && continue
	fail "$f: not a layer folder ($LAYERS) nor src/main.c; see src/README.md"
done

for l in $LAYERS; do
	for d in src include; do
		[ -d "$d/$l" ] || continue
		n=$(find "$d/$l" -type f | wc -l)
		[ "$n" -le 25 ] || fail "$d/$l: $n files, more than 25: split it"
		for sub in $(find "$d/$l" -mindepth 1 -type d); do
			fail "$sub: a folder inside a layer is not built; give it a layer of its own"
		done
	done
	for h in include/"$l"/*.h; do
		[ -f "$h" ] || continue
		head -n 1 "$h" | grep -q "^/\* $(basename "$h") - " ||
			fail "$h: does not open with '/* $(basename "$h") - what it owns and promises'"
	done
done

# src/README.md describes the same folders in the same order.
readme=$(sed -n 's/^| `\([a-z_]*\)\/` |.*/\1/p' src/README.md | tr '\n' ' ')
[ "$readme" = "$LAYERS " ] ||
	fail "src/README.md lists the folders '$readme', the Makefile '$LAYERS': make them agree"

# Includes: "layer/name.h" of this layer or an earlier one.
for f in src/main.c src/*/*.c include/*/*.h; do
	[ -f "$f" ] || continue
	case $f in
	src/main.c) own=top ;;
	*) own=${f#*/} own=${own%%/*} ;;
	esac
	own_rank=$(rank "$own")
	[ "$own" = top ] && own_rank=99
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		sed 's/^\([0-9]*\):.*"\(.*\)".*/\1 \2/' |
		while read -r line inc; do
			case $inc in
			profile.pb-c.h) continue ;; # generated into the build tree
			*/*) ;;
			*)
				fail "$f:$line: #include \"$inc\": name its folder (\"layer/$inc\")"
				continue
				;;
			esac
			[ -f "include/$inc" ] || {
				fail "$f:$line: #include \"$inc\": no include/$inc"
				continue
			}
			r=$(rank "${inc%%/*}")
			[ "$r" -le "$own_rank" ] ||
				fail "$f:$line: #include \"$inc\": $own may not use ${inc%%/*}, a later stage"
		done
done

# Symbols: who uses what, from the objects themselves.
if [ -n "$OBJ" ]; then
	pairs=$tmp/pairs
	for l in $LAYERS; do
		for c in src/"$l"/*.c; do
			o=$OBJ/$l/$(basename "$c" .c).o
			[ -f "$o" ] || continue
			nm "$o" | awk -v f="$l/$(basename "$c" .c)" '
				$1 == "U" { print "U", f, $2 }
				NF == 3 && $2 ~ /^[TDBR]$/ { print "D", f, $3 }'
		done
	done | awk '
		$1 == "D" { def[$3] = $2; next }
		{ use[++n] = $2; sym[n] = $3 }
		END { for (i = 1; i <= n; i++)
			if ((sym[i] in def) && def[sym[i]] != use[i])
				print use[i], def[sym[i]], sym[i] }' | sort -u >"$pairs"
	while read -r user definer sym; do
		[ "$(rank "${definer%%/*}")" -le "$(rank "${user%%/*}")" ] ||
			fail "$user uses $sym from $definer, a later stage"
	done <"$pairs"
	cut -d' ' -f1,2 "$pairs" | sort -u | tsort >/dev/null 2>"$tmp/loop" ||
		fail "files that use each other: $(grep -v 'input contains a loop' "$tmp/loop" |
			sed 's/^tsort: //' | tr '\n' ' ')"
fi

[ ! -s "$tmp/failures" ]
