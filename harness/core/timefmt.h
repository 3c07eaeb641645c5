/* ISO 8601 UTC instants, as the run responses carry them (DW-3). */
#ifndef DIALSIM_TIMEFMT_H
#define DIALSIM_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* "2026-01-01T12:05:00.000Z" (always milliseconds, always Z). buf >= 32. */
const char *ts_iso(int64_t ms, char *buf, size_t n);
/* "12:05:01.2" — the time of day, tenths shown only when not whole seconds. */
const char *ts_clock(int64_t ms, char *buf, size_t n);
/* "1.2 s", "301 s", "0.05 s" — a duration in seconds, shortest exact form. */
const char *ts_secs(int64_t ms, char *buf, size_t n);
/* Parse ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)". 0 on success. */
int ts_parse_iso(const char *s, int64_t *ms_out);

#endif
