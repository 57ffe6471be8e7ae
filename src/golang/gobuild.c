/* gobuild.c - is an ELF file a Go program, and which Go built it. */
#include <ctype.h>
#include <string.h>

#include <gelf.h>

#include "golang/gobuild.h"
#include "golang/goelf.h"

/* The build info blob (debug/buildinfo): 14 bytes of magic, the pointer
 * size, a flags byte (bit 0 big-endian, bit 1 strings inline), then either
 * two pointers to Go string headers {ptr, len} (runtime.buildVersion and
 * runtime.modinfo) or, with strings inline (Go 1.18 and later), from
 * byte 32 on, each string as a varint length and its bytes. */
static const char buildinfo_magic[14] = "\xff Go buildinf:";
enum { BI_ALIGN = 16, BI_HDR = 32, BI_BIGENDIAN = 1, BI_INLINE = 2 };

static uint64_t get_uint(const uint8_t *p, int size, bool big)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)p[big ? size - 1 - i : i] << (8 * i);
	return v;
}

/* A version string is short printable ASCII; copy it to out. */
static bool take_version(const uint8_t *s, uint64_t n, char out[40])
{
	uint64_t i;

	if (n == 0)
		return false;
	if (n > 39)
		n = 39;   /* a long "devel go1.N-hash date" keeps its start */
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* A Go string header {ptr, len} at vaddr, its bytes read from the file. */
static bool string_at(Elf *elf, uint64_t vaddr, int ptrsize, bool big, char out[40])
{
	uint8_t hdr[16];
	struct goelf_bytes b;
	uint64_t ptr, len;

	if (!goelf_read(elf, vaddr, hdr, 2 * (size_t)ptrsize))
		return false;
	ptr = get_uint(hdr, ptrsize, big);
	len = get_uint(hdr + ptrsize, ptrsize, big);
	if (!goelf_at(elf, ptr, &b, NULL, NULL) || b.n < len)
		return false;
	return take_version(b.p, len, out);
}

static bool from_buildinfo(Elf *elf, const struct goelf_bytes *sec, char out[40])
{
	size_t off;

	for (off = 0; off + BI_HDR <= sec->n; off += BI_ALIGN) {
		const uint8_t *p = sec->p + off;
		int ptrsize = p[14];
		uint8_t flags = p[15];

		if (memcmp(p, buildinfo_magic, sizeof(buildinfo_magic)) != 0)
			continue;
		if (flags & BI_INLINE) {
			const uint8_t *s = p + BI_HDR, *end = sec->p + sec->n;
			uint64_t len = 0;
			int shift = 0;

			for (;;) {
				if (s >= end || shift > 63)
					return false;
				len |= (uint64_t)(*s & 0x7f) << shift;
				shift += 7;
				if (!(*s++ & 0x80))
					break;
			}
			if (len > (uint64_t)(end - s))
				return false;
			return take_version(s, len, out);
		}
		if (ptrsize != 4 && ptrsize != 8)
			return false;
		return string_at(elf, get_uint(p + 16, ptrsize, flags & BI_BIGENDIAN), ptrsize,
				 flags & BI_BIGENDIAN, out);
	}
	return false;
}

/* "go1.19.8", "go1.21rc2", "devel go1.22-abcdef ..." -> 1, 19. */
static void parse_version(struct go_build *out)
{
	const char *s = strstr(out->version, "go1.");
	int major = 0, minor = 0;

	if (s == NULL)
		return;
	s += 2;
	while (isdigit((unsigned char)*s) && major < 1000)
		major = major * 10 + (*s++ - '0');
	if (*s++ != '.' || !isdigit((unsigned char)*s))
		return;
	while (isdigit((unsigned char)*s) && minor < 1000)
		minor = minor * 10 + (*s++ - '0');
	out->major = major;
	out->minor = minor;
}

bool go_build_read(Elf *elf, struct go_build *out)
{
	struct goelf_bytes sec;
	uint64_t sym;
	bool found_sym;

	memset(out, 0, sizeof(*out));
	if (elf == NULL || elf_kind(elf) != ELF_K_ELF)
		return false;
	if (goelf_section(elf, ".go.buildinfo", &sec)) {
		out->is_go = true;
		from_buildinfo(elf, &sec, out->version);
	}
	if (goelf_has_section(elf, ".note.go.buildid"))
		out->is_go = true;
	found_sym = goelf_symbol(elf, "runtime.buildVersion", &sym);
	if (found_sym) {
		const char *ident = elf_getident(elf, NULL);
		int ptrsize = gelf_getclass(elf) == ELFCLASS32 ? 4 : 8;
		bool big = ident != NULL && ident[EI_DATA] == ELFDATA2MSB;

		out->is_go = true;
		if (out->version[0] == '\0')
			string_at(elf, sym, ptrsize, big, out->version);
	}
	if (!out->is_go)
		return false;
	parse_version(out);
	out->has_dwarf = goelf_has_section(elf, ".debug_info") ||
			 goelf_has_section(elf, ".zdebug_info");
	out->has_symtab = goelf_has_section(elf, ".symtab");
	out->cgo = goelf_has_section(elf, ".eh_frame");
	return true;
}
