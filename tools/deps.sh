#!/bin/sh
# deps.sh - install the Debian packages ptprof needs to build, test and
# benchmark (the `make deps` step, run first by `make demo`, `make check`
# and `make bench`).
#
# Nothing missing: prints nothing and exits 0.
# Missing and root: apt-get update, then apt-get install; exits non-zero
#   if that fails.
# Missing and not root: prints the apt-get line to run and exits 1.

PACKAGES="libunwind-dev libdw-dev libelf-dev libprotobuf-c-dev
protobuf-c-compiler zlib1g-dev libcmocka-dev golang-go
golang-github-google-pprof-dev elfutils pkg-config gcc g++ make binutils
libdebuginfod-dev libdebuginfod1 debuginfod libiberty-dev libc6-dbg curl
python3 gdb strace linux-perf chromium tmux clang libmicrohttpd-dev"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "ptprof: dpkg-query not found; install these packages with your" \
	     "package manager:" >&2
	echo "  $PACKAGES" | tr '\n' ' ' >&2
	echo >&2
	exit 1
fi

missing=
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)
	if [ "$status" != "install ok installed" ]; then
		missing="$missing $pkg"
	fi
done
missing=${missing# }

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "ptprof: missing packages; run as root:" >&2
	echo "apt-get install -y $missing" >&2
	exit 1
fi

echo "ptprof: installing missing packages: $missing"
apt-get update || {
	echo "ptprof: apt-get update failed" >&2
	exit 2
}
# $missing is deliberately unquoted: one word per package.
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing || {
	echo "ptprof: apt-get install failed; packages still missing: $missing" >&2
	exit 2
}
exit 0
