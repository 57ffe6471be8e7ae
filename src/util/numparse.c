/* numparse.c - strict parsing of numeric command-line values.
 *
 * Decimal only: "0x10" is rejected as trailing junk after "0".  Leading
 * zeros are allowed ("007" is 7) since they are unambiguous in decimal.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/numparse.h"
#include "util/xalloc.h"

/* Highest pid the kernel can hand out (PID_MAX_LIMIT on 64-bit). */
#define TID_MAX 4194304

/* Parse the decimal digits at s.  strtoull alone would accept leading
 * whitespace and signs, so demand a digit first.  *end is set past the
 * digits. */
static int parse_digits(const char *s, const char **end, uint64_t *v)
{
	char *e;
	unsigned long long x;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	x = strtoull(s, &e, 10);
	if (errno == ERANGE)
		return -1;
	*v = x;
	*end = e;
	return 0;
}

int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;

	if (parse_digits(s, &end, &v) < 0 || *end != '\0')
		return -1;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v, mult = 1;

	if (parse_digits(s, &end, &v) < 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	}
	/* "B" may follow any multiplier (or none: "512B"); "iB" only a
	 * multiplier, as "64iB" means nothing. */
	if (strcasecmp(end, "b") == 0)
		end++;
	else if (mult > 1 && strcasecmp(end, "ib") == 0)
		end += 2;
	if (*end != '\0')
		return -1;
	if (v > UINT64_MAX / mult)
		return -1;
	v *= mult;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Units are case-sensitive: "m" is minutes and "M" would read as mega. */
static const struct {
	const char *name;
	uint64_t ns;
} duration_units[] = {
	{ "", 1000000000ULL },  /* bare number: seconds */
	{ "ns", 1ULL },
	{ "us", 1000ULL },
	{ "ms", 1000000ULL },
	{ "s", 1000000000ULL },
	{ "m", 60ULL * 1000000000ULL },
	{ "h", 3600ULL * 1000000000ULL },
};

int parse_duration_ns(const char *s, uint64_t *out)
{
	const char *p;
	uint64_t whole, frac = 0, frac_scale = 1, unit = 0, ns;
	unsigned __int128 frac_ns;

	if (parse_digits(s, &p, &whole) < 0)
		return -1;
	if (*p == '.') {
		/* Digits are required on both sides of the point ("1." and
		 * ".5" are rejected).  Keep 18 digits: finer ones cannot
		 * change a nanosecond count even in hours. */
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			if (frac_scale < 1000000000000000000ULL) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				frac_scale *= 10;
			}
		}
	}
	for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
		if (strcmp(p, duration_units[i].name) == 0) {
			unit = duration_units[i].ns;
			break;
		}
	}
	if (unit == 0 || whole > UINT64_MAX / unit)
		return -1;
	ns = whole * unit;
	/* frac < 10^18 and unit < 2^42, so the product fits in 128 bits;
	 * the quotient is below unit, so it fits in 64. */
	frac_ns = (unsigned __int128)frac * unit / frac_scale;
	if ((uint64_t)frac_ns > UINT64_MAX - ns)
		return -1;
	ns += (uint64_t)frac_ns;
	if (ns == 0)
		return -1;
	*out = ns;
	return 0;
}

int parse_tid_list(const char *s, int **out, size_t *n)
{
	int *v = NULL;
	size_t count = 0, cap = 0;
	const char *p = s;
	uint64_t tid;

	for (;;) {
		/* parse_digits rejects an empty item, so ",", "1,,2" and
		 * "1," all fail here. */
		if (parse_digits(p, &p, &tid) < 0 || tid < 1 || tid > TID_MAX)
			goto fail;
		if (*p != ',' && *p != '\0')
			goto fail;
		bool seen = false;
		for (size_t i = 0; i < count && !seen; i++)
			seen = v[i] == (int)tid;
		if (!seen) {
			XGROW(v, cap, count);
			v[count++] = (int)tid;
		}
		if (*p == '\0')
			break;
		p++;
	}
	*out = v;
	*n = count;
	return 0;
fail:
	free(v);
	return -1;
}

bool tid_in_list(const int *tids, size_t n, int tid)
{
	if (!tids)
		return true;
	for (size_t i = 0; i < n; i++)
		if (tids[i] == tid)
			return true;
	return false;
}
