/* golabel.c - thread -> M -> current goroutine, for sample labels. */
#include <stdlib.h>
#include <string.h>

#include "golang/goruntime.h"
#include "profile/golabel.h"
#include "profile/snapshot.h"

#define RESCAN_NS 1000000000ULL

static void scan(struct golabel *gl)
{
	struct go_thread *t = NULL;
	ssize_t n = go_threads_read(gl->pid, &gl->L, gl->bias, &t);
	gl->last_scan_ns = monotonic_ns();
	for (ssize_t i = 0; i < n; i++)
		if (t[i].tid > 0)
			u64map_put(&gl->m_of, (uint64_t)t[i].tid, t[i].m);
	free(t);
}

void golabel_open(struct golabel *gl, pid_t pid, struct modules *ms)
{
	struct module *m = modules_main(ms);
	const struct go_layout *L;
	const char *missing;

	memset(gl, 0, sizeof(*gl));
	gl->pid = pid;
	if (!m || !(L = module_go_layout(m, &missing)))
		return;
	gl->L = *L;
	gl->bias = m->bias;
	gl->active = true;
	scan(gl);
}

uint64_t golabel_goid(struct golabel *gl, pid_t tid)
{
	uint64_t m;
	if (!gl->active)
		return 0;
	if (!u64map_get(&gl->m_of, (uint64_t)tid, &m)) {
		if (monotonic_ns() - gl->last_scan_ns < RESCAN_NS)
			return 0;
		scan(gl);
		if (!u64map_get(&gl->m_of, (uint64_t)tid, &m))
			return 0;
	}
	return go_thread_goid(gl->pid, &gl->L, m);
}

void golabel_close(struct golabel *gl)
{
	u64map_free(&gl->m_of);
	memset(gl, 0, sizeof(*gl));
}
