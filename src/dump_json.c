/* dump_json.c - the dump as one JSON object, for scripts. */
#include <inttypes.h>
#include <stdio.h>

#include "dumpout.h"
#include "jsonw.h"

static void json_frames(FILE *f, struct snapshot *s, const struct thread_snap *t)
{
	bool first = true;
	fputs("\"frames\":[", f);
	for (size_t i = 0; i < t->stack.n; i++) {
		const struct stack_frame *fr = &t->stack.frames[i];
		const struct symbol *sym = symcache_get(s->sc, fr->pc, fr->is_return);
		for (size_t j = 0; j < sym->nframes; j++) {
			const struct sym_frame *sf = &sym->frames[j];
			fprintf(f, "%s{\"pc\":\"0x%" PRIx64 "\",\"function\":", first ? "" : ",", fr->pc);
			json_string(f, sf->function);
			fprintf(f, ",\"inlined\":%s,\"file\":", sf->inlined ? "true" : "false");
			json_string(f, sf->file);
			if (sf->file)
				fprintf(f, ",\"line\":%d", sf->line);
			else
				fputs(",\"line\":null", f);
			fputs(",\"module\":", f);
			json_string(f, sym->module ? sym->module->name : NULL);
			if (sym->module)
				fprintf(f, ",\"module_offset\":\"0x%" PRIx64 "\"", sym->module_offset);
			fputc('}', f);
			first = false;
		}
	}
	fputs("],\"error\":", f);
	json_string(f, t->problem);
}

static void json_state(FILE *f, const struct thread_snap *t)
{
	fputs("\"state\":", f);
	json_string(f, procfs_state_name(t->facts.state));
	fputs(",\"syscall\":", f);
	json_string(f, thread_facts_syscall(&t->facts));
	if (t->facts.restarted)
		fputs(",\"syscall_restarted\":true", f);
}

static void json_thread(FILE *f, struct snapshot *s, const struct thread_snap *t)
{
	fprintf(f, "{\"tid\":%d,\"name\":", (int)t->facts.tid);
	json_string(f, t->facts.name);
	fputc(',', f);
	json_state(f, t);
	fprintf(f, ",\"cpu_seconds\":%.2f,", (double)t->facts.cpu_ns / 1e9);
	json_frames(f, s, t);
	fputc('}', f);
}

void dump_write_json(FILE *f, struct snapshot *s, bool group)
{
	fprintf(f, "{\"pid\":%d,\"name\":", (int)s->pid);
	json_string(f, s->comm);
	fprintf(f, ",\"time_ns\":%" PRIu64 ",\"capture_ms\":%.3f,\"stopped_max_ms\":%.3f,"
		"\"stopped_total_ms\":%.3f,\"threads\":[",
		s->time_ns, (double)s->capture_ns / 1e6, (double)s->stopped_max_ns / 1e6,
		(double)s->stopped_total_ns / 1e6);
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			fputc(',', f);
		json_thread(f, s, &s->t[i]);
	}
	fputc(']', f);
	if (group) {
		struct dump_group *g;
		size_t ng = dump_groups(s, &g);
		fputs(",\"groups\":[", f);
		for (size_t i = 0; i < ng; i++) {
			const struct thread_snap *first = &s->t[g[i].members[0]];
			fprintf(f, "%s{\"count\":%zu,\"threads\":[", i ? "," : "", g[i].n);
			for (size_t k = 0; k < g[i].n; k++) {
				const struct thread_snap *t = &s->t[g[i].members[k]];
				fprintf(f, "%s{\"tid\":%d,\"name\":", k ? "," : "", (int)t->facts.tid);
				json_string(f, t->facts.name);
				fputc('}', f);
			}
			fputs("],", f);
			json_state(f, first);
			fputc(',', f);
			json_frames(f, s, first);
			fputc('}', f);
		}
		fputc(']', f);
		dump_groups_free(g, ng);
	}
	fputs("}\n", f);
}
