# tests/e2e/t_perm.sh - attaching without the right to.
#
# ptprof run as user nobody, with no capabilities, against a target owned
# by root: the kernel refuses PTRACE_SEIZE, and ptprof must say why (the
# owner) and how to fix it, in one line, leaving the target alone.

AS_NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"

t_perm_other_owner() {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
	[ "$(id -u)" = 0 ] || skip "needs root to start a target nobody cannot trace"
	start_target chain
	local pid=$LAST_PID

	LAST_CMD="(as nobody) ptprof dump -p $pid"
	PT_RC=0
	timeout -k 5 30 $AS_NOBODY "$PTPROF" dump -p "$pid" </dev/null >"$T/out" 2>"$T/err" ||
		PT_RC=$?
	check_sanitizer "$T/err"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" "^ptprof: cannot attach to $pid: permission denied \(it belongs to uid 0 \(root\); run as root, as that user, or grant CAP_SYS_PTRACE\)$"
	assert_untouched "$pid"
	stop_target "$pid"
}
