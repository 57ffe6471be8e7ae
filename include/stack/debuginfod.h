/* debuginfod.h - separate debug files fetched from debuginfod servers.
 *
 * Off unless asked for (--debuginfod, PTPROF_DEBUGINFOD=1): a dump of a
 * stuck process must not wait on the network.  When on, the servers of
 * DEBUGINFOD_URLS are asked through libdw's own client (libdebuginfod,
 * loaded only then), whose cache (~/.cache/debuginfod_client) is reused
 * across runs, and all the asking of a run shares one time budget.
 *
 * Asking happens only in a thread that opened the fetch window, which
 * the symbolizer does and nothing that runs while a target thread is
 * stopped does.  DEBUGINFOD_URLS is taken out of the environment at
 * start-up and set only around a fetch, so libdw never asks on its own.
 *
 * Build ids whose frames were left unnamed for want of debug info are
 * noted; at the end one line says which, and that --debuginfod can
 * fetch them.
 */
#ifndef PTPROF_DEBUGINFOD_H
#define PTPROF_DEBUGINFOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdwfl.h>

#define DEBUGINFOD_DEFAULT_BUDGET_NS 10000000000ULL

/* At start-up, before anything reads debug info: keep DEBUGINFOD_URLS
 * aside (and out of the environment) and read PTPROF_DEBUGINFOD. */
void debuginfod_take_env(void);

/* --debuginfod, and its total budget (0: the default). */
void debuginfod_enable(bool on);
void debuginfod_set_budget(uint64_t ns);
bool debuginfod_enabled(void);

/* Open (true) or close the calling thread's fetch window; returns what
 * it was.  Closed in every thread to begin with. */
bool debuginfod_window(bool open);
bool debuginfod_window_open(void);

/* The separate debug file of a build id from the servers, through the
 * client of dwfl: its descriptor (and *path, malloc'ed, when path is not
 * NULL), or -1.  Asks only when enabled, in an open window, with budget
 * left; a build id is asked for once per run. */
int debuginfod_fetch(Dwfl *dwfl, const unsigned char *id, size_t len, char **path);

/* A frame of this build id (hex) is unnamed and its debug info missing. */
void debuginfod_note_unnamed(const char *build_id);

/* At the end: the line about unnamed frames (without --debuginfod), or
 * what the budget left unfetched (with it). */
void debuginfod_report(void);

#endif
