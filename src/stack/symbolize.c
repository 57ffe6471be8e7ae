/* symbolize.c - libdw lookups for one address. */
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include <elfutils/libdw.h>

#include "stack/debuginfod.h"
#include "stack/demangle.h"
#include "stack/symbolize.h"
#include "stack/unwind.h"
#include "target/syscalls.h"
#include "util/xalloc.h"

/* "a::b::name" from the namespaces, types and modules around a DIE
 * (outer[] are its enclosing scopes, innermost first). */
static char *qualified_name(const char *name, Dwarf_Die *outer, int nouter)
{
	size_t len = strlen(name) + 1;
	char *q;
	for (int i = 0; i < nouter; i++) {
		int tag = dwarf_tag(&outer[i]);
		const char *n = dwarf_diename(&outer[i]);
		if (n && (tag == DW_TAG_namespace || tag == DW_TAG_structure_type ||
			  tag == DW_TAG_class_type || tag == DW_TAG_module))
			len += strlen(n) + 2;
	}
	q = xmalloc(len);
	q[0] = '\0';
	for (int i = nouter; i-- > 0;) {
		int tag = dwarf_tag(&outer[i]);
		const char *n = dwarf_diename(&outer[i]);
		if (n && (tag == DW_TAG_namespace || tag == DW_TAG_structure_type ||
			  tag == DW_TAG_class_type || tag == DW_TAG_module)) {
			strcat(q, n);
			strcat(q, "::");
		}
	}
	strcat(q, name);
	return q;
}

/* The name of a function DIE: its linkage name demangled, else (a Rust v0
 * name, which the C++ demangler does not read, or none) its own name,
 * qualified by the scopes around it. */
static char *die_name(Dwarf_Die *die, Dwarf_Die *outer, int nouter)
{
	Dwarf_Attribute a;
	const char *s = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));
	if (!s)
		s = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
	if (s && strncmp(s, "_R", 2) != 0)
		return demangle(s);
	const char *n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
	if (n && s)
		return qualified_name(n, outer, nouter);
	return n ? xstrdup(n) : s ? xstrdup(s) : NULL;
}

/* Paths under the compilation directory read better relative to it. */
static char *tidy_path(const char *file, const char *comp_dir)
{
	size_t n = comp_dir ? strlen(comp_dir) : 0;
	if (n && strncmp(file, comp_dir, n) == 0 && file[n] == '/')
		return xstrdup(file + n + 1);
	return xstrdup(file);
}

static void push(struct symbol *sym, size_t *cap, char *fn, char *file, int line, bool inl)
{
	XGROW(sym->frames, *cap, sym->nframes);
	sym->frames[sym->nframes++] = (struct sym_frame){ fn, file, line, inl };
}

/* The compilation unit around an address, and its line: libdw finds
 * both through .debug_aranges, which Go does not write; a Go module's own
 * unit table stands in. */
static Dwarf_Die *find_cu(struct module *m, uint64_t look, Dwarf_Die *mem, Dwarf_Addr *bias,
			  const char **file, int *line)
{
	/* libdw knows a file mapped again elsewhere at its first place. */
	Dwfl_Module *dm = module_symbols(m);
	Dwarf_Die *cudie = dwfl_module_addrdie(dm, look - m->shift, bias);
	if (cudie) {
		*bias += m->shift;
		Dwfl_Line *l = dwfl_module_getsrc(dm, look - m->shift);
		if (l)
			*file = dwfl_lineinfo(l, NULL, line, NULL, NULL, NULL);
		return cudie;
	}
	const struct go_cutab *ct = module_cutab(m);
	uint64_t b;
	if (!ct || !module_dwarf(m, &b) || look < b || !go_cutab_find(ct, look - b, mem))
		return NULL;
	*bias = b;
	Dwarf_Line *dl = dwarf_getsrc_die(mem, look - b);
	if (dl) {
		*file = dwarf_linesrc(dl, NULL, NULL);
		dwarf_lineno(dl, line);
	}
	return mem;
}

/* A Go wrapper (DW_AT_trampoline): Go's tracebacks do not show it. */
static bool is_trampoline(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	return dwarf_attr_integrate(die, DW_AT_trampoline, &a) != NULL;
}

/* Innermost-first chain of inlined calls and the function containing
 * them, from the DIE tree around the address. */
static void dwarf_frames(struct symbolizer *s, struct module *m, uint64_t look,
			 struct symbol *sym, size_t *cap)
{
	Dwarf_Addr bias;
	Dwarf_Die cu_mem;
	Dwarf_Die *scopes = NULL;
	Dwarf_Attribute a;
	Dwarf_Files *files = NULL;
	const char *file = NULL;
	int line = 0;
	Dwarf_Die *cudie = find_cu(m, look, &cu_mem, &bias, &file, &line);

	if (!cudie)
		return;
	const char *comp_dir = dwarf_formstring(dwarf_attr(cudie, DW_AT_comp_dir, &a));

	int n = dwarf_getscopes(cudie, look - bias, &scopes);
	if (n <= 0)
		goto out;
	/* Walk the concrete DIE tree, not the abstract origins. */
	Dwarf_Die inner = scopes[0];
	free(scopes);
	scopes = NULL;
	n = dwarf_getscopes_die(&inner, &scopes);
	if (n <= 0)
		goto out;
	dwarf_getsrcfiles(cudie, &files, NULL);
	for (int i = 0; i < n; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram &&
		    tag != DW_TAG_entry_point)
			continue;
		if (tag != DW_TAG_inlined_subroutine || !is_trampoline(&scopes[i]))
			push(sym, cap, die_name(&scopes[i], &scopes[i + 1], n - i - 1),
			     s->lines && file ? tidy_path(file, comp_dir) : NULL,
			     s->lines ? line : 0, tag == DW_TAG_inlined_subroutine);
		if (tag != DW_TAG_inlined_subroutine) {
			Dwarf_Addr lo;
			if (dwarf_lowpc(&scopes[i], &lo) == 0)
				sym->entry = lo + bias;
			break;
		}
		/* The caller's position is the call site of this inline. */
		Dwarf_Word v;
		file = NULL;
		line = 0;
		if (files && dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &a), &v) == 0)
			file = dwarf_filesrc(files, v, NULL, NULL);
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &a), &v) == 0)
			line = (int)v;
	}
out:
	free(scopes);
	/* An address in a CU but in no function: the line is still worth having. */
	if (sym->nframes == 0 && file && s->lines)
		push(sym, cap, NULL, tidy_path(file, comp_dir), line, false);
}

/* Go code: the runtime's function table names the function, its inlined
 * calls and their lines, even in a binary built with -ldflags="-s -w". */
static bool gopcln_symbol(struct symbolizer *s, struct module *m, uint64_t look,
			  struct symbol *sym, size_t *cap)
{
	const struct gopcln *t = module_gopcln(m);
	struct gopcln_frame fr[32];
	struct gopcln_func fn;
	size_t n = t ? gopcln_frames(t, look - m->bias, fr, sizeof(fr) / sizeof(fr[0])) : 0;
	if (n && gopcln_func(t, look - m->bias, &fn))
		sym->entry = fn.entry + m->bias;
	for (size_t i = 0; i < n; i++) {
		if (fr[i].wrapper && fr[i].inlined)
			continue;
		push(sym, cap, xstrdup(fr[i].function),
		     s->lines && fr[i].file ? xstrdup(fr[i].file) : NULL, s->lines ? fr[i].line : 0,
		     fr[i].inlined);
	}
	return sym->nframes > 0;
}

/* Keep only the outermost frame (--no-inline). */
static void collapse_inlines(struct symbol *sym)
{
	if (sym->nframes <= 1)
		return;
	struct sym_frame keep = sym->frames[sym->nframes - 1];
	for (size_t i = 0; i + 1 < sym->nframes; i++) {
		free(sym->frames[i].function);
		free(sym->frames[i].file);
	}
	sym->frames[0] = keep;
	sym->nframes = 1;
}

/* The kernel, for the frames of system calls (see stack_push_kernel). */
static const struct sym_module kernel_module = {
	.name = "[kernel]", .path = "[kernel]", .build_id = "",
	.start = KERNEL_FRAME_BASE, .limit = KERNEL_FRAME_BASE + 0x10000, .kernel = true,
};

static void resolve(struct symbolizer *s, uint64_t addr, bool is_return, struct symbol *sym);

void symbolize_resolve(void *ctx, uint64_t addr, bool is_return, struct symbol *sym)
{
	struct symbolizer *s = ctx;
	/* Threads run while symbols are read, unless the user says otherwise. */
	bool was = debuginfod_window(!s->offline);
	resolve(s, addr, is_return, sym);
	debuginfod_window(was);
	/* A frame with no name where debug info was missing: said at the end. */
	const struct module *m = sym->module && !sym->module->kernel
		? modules_find(s->ms, is_return ? addr - 1 : addr) : NULL;
	if (m && m->home->debug_missing && sym->nframes && !sym->frames[sym->nframes - 1].function)
		debuginfod_note_unnamed(m->info.build_id);
}

static void resolve(struct symbolizer *s, uint64_t addr, bool is_return, struct symbol *sym)
{
	uint64_t look = is_return ? addr - 1 : addr;
	size_t cap = 0;

	sym->addr = addr;
	if (is_kernel_frame(addr)) {
		long nr = (long)(addr - KERNEL_FRAME_BASE);
		const char *name = syscall_name(nr);
		sym->module = &kernel_module;
		sym->module_offset = (uint64_t)nr;
		push(sym, &cap, name ? xasprintf("[kernel] %s", name) : xasprintf("[kernel] syscall %ld", nr),
		     NULL, 0, false);
		return;
	}
	struct module *m = modules_find(s->ms, look);
	if (m) {
		sym->module = &m->info;
		sym->module_offset = addr - m->bias;
		bool shared = s->share && m->info.build_id[0];
		if (shared && symshare_get(s->share, m->info.build_id, sym->module_offset, is_return,
					   m->bias, sym))
			return;
		/* Read through another process's module of the same file when
		 * one was lent: its libdw data is loaded already.  from and
		 * from_look are that module and the address in its process. */
		struct module *from = shared ? symshare_borrow(s->share, m->info.build_id) : NULL;
		if (!from || from == m) {
			from = m;
			if (shared && s->lend)
				symshare_lend(s->share, m->info.build_id, m);
		}
		uint64_t from_look = look - m->bias + from->bias;
		/* Go code: the runtime's own table names it as Go's tracebacks
		 * do, with or without DWARF (whose inlined entries libdw 0.188
		 * cannot follow across units). */
		if (!from->go.is_go || !gopcln_symbol(s, from, from_look, sym, &cap))
			dwarf_frames(s, from, from_look, sym, &cap);
		/* No DWARF function: the symbol table still names it. */
		if (sym->nframes == 0 || !sym->frames[sym->nframes - 1].function) {
			GElf_Off off;
			GElf_Sym esym;
			const char *name = dwfl_module_addrinfo(module_symbols(from),
								from_look - from->shift, &off,
								&esym, NULL, NULL, NULL);
			if (name) {
				if (sym->nframes == 0)
					push(sym, &cap, NULL, NULL, 0, false);
				sym->frames[sym->nframes - 1].function = demangle(name);
				sym->entry = from_look - off;
			}
		}
		if (sym->entry && from != m)
			sym->entry = sym->entry - from->bias + m->bias;
		if (sym->nframes == 0)
			push(sym, &cap, NULL, NULL, 0, false);
		if (!s->inlines)
			collapse_inlines(sym);
		if (shared)
			symshare_put(s->share, m->info.build_id, sym->module_offset, is_return, m->bias,
				     sym);
		return;
	}
	/* Code compiled at run time: the runtime's perf map names it. */
	const struct perfmap_entry *e = !m && s->jit ? perfmap_lookup(s->jit, look) : NULL;
	if (e) {
		sym->module = perfmap_module(s->jit);
		sym->module_offset = addr;   /* anonymous memory: no file to be relative to */
		sym->entry = e->start;
		push(sym, &cap, xstrdup(e->name), NULL, 0, false);
	}
	if (sym->nframes == 0)
		push(sym, &cap, NULL, NULL, 0, false);
	if (!s->inlines)
		collapse_inlines(sym);
}
