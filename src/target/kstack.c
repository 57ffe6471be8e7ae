/* kstack.c - see kstack.h. */
#include <stdlib.h>
#include <string.h>

#include "target/kstack.h"
#include "target/procfs.h"
#include "util/xalloc.h"

/* At most this many frames: the kernel stops at 64. */
#define KSTACK_MAX 64

void kstack_parse(const char *text, struct kstack *k)
{
	size_t cap = 0;
	memset(k, 0, sizeof(*k));
	for (const char *p = text; *p && k->n < KSTACK_MAX;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		/* "[<0000000000000000>] name+0x1d3/0x400": the name and offset. */
		const char *name = memchr(p, ']', len);
		if (name) {
			name++;
			while (name < p + len && *name == ' ')
				name++;
			const char *end = name;
			while (end < p + len && *end != '/' && *end != ' ')
				end++;
			if (end > name) {
				XGROW(k->fn, cap, k->n);
				k->fn[k->n++] = xstrndup(name, (size_t)(end - name));
			}
		}
		p += len + (eol != NULL);
	}
}

int kstack_read(pid_t pid, pid_t tid, struct kstack *k)
{
	size_t len;
	char *text = procfs_read_all(pid, tid, "stack", &len);
	memset(k, 0, sizeof(*k));
	if (!text)
		return -1;
	kstack_parse(text, k);
	free(text);
	return 0;
}

void kstack_free(struct kstack *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->fn[i]);
	free(k->fn);
	memset(k, 0, sizeof(*k));
}
