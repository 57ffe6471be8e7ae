/* flamegraph_script.h - the style sheet and script inlined in every flame
 * graph SVG (see flamegraph.c for the document they work on). */
#ifndef PTPROF_FLAMEGRAPH_SCRIPT_H
#define PTPROF_FLAMEGRAPH_SCRIPT_H

/* CSS, for a <style> element. */
extern const char flamegraph_css[];
/* JavaScript, for a <script> element at the end of the document; it holds
 * no "]]>", so it fits in a CDATA section. */
extern const char flamegraph_js[];

#endif
