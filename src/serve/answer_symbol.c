/* answer_symbol.c - /debug/pprof/symbol: Go's symbol protocol, the
 * addresses of the process resolved with its own modules (a fallback:
 * the profiles served are symbolized already). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "serve/answer.h"
#include "stack/symbolize.h"
#include "target/procfs.h"

/* At most this many addresses are looked up per request. */
#define MAX_ADDRS 4096

void answer_symbol(struct job *j, const struct answer_opts *o)
{
	struct maps maps = { 0 };
	uint64_t hash;

	if (procfs_read_maps(j->pid, &maps, &hash) < 0) {
		reply_error(&j->reply, 410, "process %d has exited", (int)j->pid);
		maps_free(&maps);
		return;
	}
	struct modules *ms = modules_open(j->pid, &maps, o->debug_dir);
	struct symbolizer sym = { .ms = ms, .inlines = false, .lines = false };
	struct symcache *sc = symcache_new(symbolize_resolve, &sym);
	FILE *f = reply_stream(&j->reply, CT_TEXT, NULL);
	const char *p = j->addrs ? j->addrs : "";
	/* "0x1+0x2+...": anything that is not an address is skipped, as Go
	 * skips what it cannot parse. */
	for (size_t n = 0; *p && n < MAX_ADDRS; n++) {
		char *end;
		uint64_t a = strtoull(p, &end, 0);
		if (end == p) {
			p += strcspn(p, "+");
		} else {
			p = end;
			const struct symbol *s = symcache_get(sc, a, false);
			if (a && s && s->nframes && s->frames[s->nframes - 1].function)
				fprintf(f, "%#" PRIx64 " %s\n", a, s->frames[s->nframes - 1].function);
		}
		p += strspn(p, "+ \t\r\n");
	}
	reply_stream_end(&j->reply);
	symcache_free(sc);
	modules_free(ms);
	maps_free(&maps);
}
