/* golabel.h - which goroutine a sampled thread was running, for the
 * `goroutine` label of record and top.
 *
 * Active only for a Go program whose DWARF gives the runtime's layout.
 * The thread-to-M map comes from runtime.allm, read again when a thread
 * it does not know is sampled (at most once a second); each lookup then
 * costs two small reads of the target's memory (m.curg, then its goid),
 * made after the thread was resumed.
 */
#ifndef PTPROF_GOLABEL_H
#define PTPROF_GOLABEL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "golang/godwarf.h"
#include "stack/modules.h"
#include "util/hashmap.h"

struct golabel {
	bool active;
	pid_t pid;
	struct go_layout L;
	uint64_t bias;
	struct u64map m_of;       /* tid -> address of its runtime.m */
	uint64_t last_scan_ns;
};

/* Sets gl->active when ms's executable is a Go program with a readable
 * layout. */
void golabel_open(struct golabel *gl, pid_t pid, struct modules *ms);
/* The goroutine tid runs now, or 0. */
uint64_t golabel_goid(struct golabel *gl, pid_t tid);
void golabel_close(struct golabel *gl);

#endif
