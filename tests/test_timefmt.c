/* Unit tests for harness/core/timefmt: the ISO 8601 instants every run response
 * carries (DW-3), the clock and duration forms reports use, and the parser the
 * transcript ingest relies on (CI-4 startedAt / endedAt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/timefmt.h"

/* 2026-01-01T12:05:00.000Z */
#define T_1205 INT64_C(1767269100000)

/* DW-3: always milliseconds, always Z. */
static void dw3_iso_always_millis_and_z(void **state)
{
    (void)state;
    char b[40];
    assert_string_equal(ts_iso(0, b, sizeof b), "1970-01-01T00:00:00.000Z");
    assert_string_equal(ts_iso(T_1205, b, sizeof b), "2026-01-01T12:05:00.000Z");
    assert_string_equal(ts_iso(T_1205 + 1200, b, sizeof b), "2026-01-01T12:05:01.200Z");
    assert_string_equal(ts_iso(T_1205 + 7, b, sizeof b), "2026-01-01T12:05:00.007Z");
    assert_string_equal(ts_iso(INT64_C(951782400000), b, sizeof b), "2000-02-29T00:00:00.000Z");
    assert_ptr_equal(ts_iso(0, b, sizeof b), b);
}

/* Before the epoch the milliseconds still count forward within the second. */
static void iso_before_epoch(void **state)
{
    (void)state;
    char b[40];
    assert_string_equal(ts_iso(-1, b, sizeof b), "1969-12-31T23:59:59.999Z");
    assert_string_equal(ts_iso(-1000, b, sizeof b), "1969-12-31T23:59:59.000Z");
}

static void clock_form(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(ts_clock(T_1205 + 1200, b, sizeof b), "12:05:01.2");
    assert_string_equal(ts_clock(T_1205, b, sizeof b), "12:05:00");
    assert_string_equal(ts_clock(T_1205 + 1250, b, sizeof b), "12:05:01.250");
    assert_string_equal(ts_clock(T_1205 + 59 * 60 * 1000 + 59999, b, sizeof b), "13:04:59.999");
}

static void secs_shortest_exact_form(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(ts_secs(1200, b, sizeof b), "1.2 s");
    assert_string_equal(ts_secs(301000, b, sizeof b), "301 s");
    assert_string_equal(ts_secs(50, b, sizeof b), "0.05 s");
    assert_string_equal(ts_secs(1, b, sizeof b), "0.001 s");
    assert_string_equal(ts_secs(1234, b, sizeof b), "1.234 s");
    assert_string_equal(ts_secs(0, b, sizeof b), "0 s");
    assert_string_equal(ts_secs(-1500, b, sizeof b), "-1.5 s");
    assert_string_equal(ts_secs(300000, b, sizeof b), "300 s"); /* DW-1 default window */
}

static void parse_zulu(void **state)
{
    (void)state;
    int64_t ms = -1;
    assert_int_equal(ts_parse_iso("2026-01-01T12:05:00Z", &ms), 0);
    assert_int_equal(ms, T_1205);
    assert_int_equal(ts_parse_iso("1970-01-01T00:00:00Z", &ms), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(ts_parse_iso("2000-02-29T00:00:00.000Z", &ms), 0);
    assert_int_equal(ms, INT64_C(951782400000));
}

static void parse_fraction(void **state)
{
    (void)state;
    int64_t ms = 0;
    assert_int_equal(ts_parse_iso("2026-01-01T12:05:00.250Z", &ms), 0);
    assert_int_equal(ms, T_1205 + 250);
    assert_int_equal(ts_parse_iso("2026-01-01T12:05:00.5Z", &ms), 0);
    assert_int_equal(ms, T_1205 + 500);
    assert_int_equal(ts_parse_iso("2026-01-01T12:05:00.05Z", &ms), 0);
    assert_int_equal(ms, T_1205 + 50);
    /* Digits past the millisecond are dropped, not rounded. */
    assert_int_equal(ts_parse_iso("2026-01-01T12:05:00.123999Z", &ms), 0);
    assert_int_equal(ms, T_1205 + 123);
}

static void parse_offsets(void **state)
{
    (void)state;
    int64_t ms = 0;
    assert_int_equal(ts_parse_iso("2026-01-01T13:05:00+01:00", &ms), 0);
    assert_int_equal(ms, T_1205);
    assert_int_equal(ts_parse_iso("2026-01-01T07:05:00-05:00", &ms), 0);
    assert_int_equal(ms, T_1205);
    assert_int_equal(ts_parse_iso("2026-01-01T17:35:00.250+05:30", &ms), 0);
    assert_int_equal(ms, T_1205 + 250);
    assert_int_equal(ts_parse_iso("2026-01-01T12:05:00+00:00", &ms), 0);
    assert_int_equal(ms, T_1205);
    /* Across midnight and the year. */
    char b[40];
    assert_int_equal(ts_parse_iso("2026-01-01T00:30:00+01:00", &ms), 0);
    assert_string_equal(ts_iso(ms, b, sizeof b), "2025-12-31T23:30:00.000Z");
}

static void parse_rejects_garbage(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "garbage",
        "2026-01-01",
        "2026-01-01T12:05:00",  /* no zone */
        "2026-01-01 12:05:00Z", /* space for T */
        "2026-01-01t12:05:00z",
        "2026-1-01T12:05:00Z",
        "2026-13-01T12:05:00Z",
        "2026-00-01T12:05:00Z",
        "2026-01-00T12:05:00Z",
        "2026-01-32T12:05:00Z",
        "2026-02-30T12:05:00Z", /* no such day */
        "2025-02-29T12:05:00Z", /* not a leap year */
        "2026-01-01T24:00:00Z",
        "2026-01-01T12:60:00Z",
        "2026-01-01T12:05:61Z",
        "2026-01-01T-1:05:00Z", /* a sign where a digit belongs */
        "2026-01-01T+1:05:00Z",
        "2026-01-01T 1:05:00Z",
        " 026-01-01T12:05:00Z",
        "2026-01-01T12:05:00.Z", /* a dot with no digits */
        "2026-01-01T12:05:00Zjunk",
        "2026-01-01T12:05:00+0100",
        "2026-01-01T12:05:00+01",
        "2026-01-01T12:05:00+01:00x",
        "2026-01-01T12:05:00+-1:00",
        "2026-01-01T12:05:00+ 1:00",
        "2026-01-01T12:05:00+24:00",
        "2026-01-01T12:05:00+01:60",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 42;
        if (ts_parse_iso(bad[i], &ms) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(ms, 42); /* untouched on failure */
    }
    int64_t ms;
    assert_int_equal(ts_parse_iso(NULL, &ms), -1);
}

/* Whatever ts_iso writes, ts_parse_iso reads back to the same instant. */
static void round_trip(void **state)
{
    (void)state;
    static const int64_t instants[] = {
        0,
        1,
        999,
        T_1205,
        T_1205 + 300000 + 1,
        INT64_C(951782400000) - 1, /* 2000-02-28T23:59:59.999 */
        INT64_C(4102444800000),    /* 2100-01-01 */
        INT64_C(4107542399999),    /* 2100-02-28T23:59:59.999: 2100 is not leap */
        -1,
        INT64_C(-86400000) * 365,
    };
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
        char b[40];
        int64_t back = 0;
        ts_iso(instants[i], b, sizeof b);
        if (ts_parse_iso(b, &back) != 0)
            fail_msg("could not parse back %s", b);
        assert_int_equal(back, instants[i]);
    }
}

/* The digit-by-digit form agrees with gmtime_r + printf over four centuries
 * of instants (leap days, year ends, every millisecond digit), and a buffer
 * too small still gets a terminated prefix. */
/* ts_iso(ms) against gmtime_r and snprintf */
static void expect_iso(int64_t ms)
{
    char b[40], want[64];
    time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
    int milli = (int)(ms - (int64_t)t * 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, milli);
    assert_string_equal(ts_iso(ms, b, sizeof b), want);
}

/* Random instants, each followed by others of its second (ts_iso keeps the
 * last second's text per thread) and the first of the next one. */
static void iso_agrees_with_gmtime(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL; /* xorshift: the same instants every run */
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t ms = (int64_t)(x % UINT64_C(12622780800000)) - INT64_C(2208988800000);
        int64_t start = ms - (ms % 1000 + 1000) % 1000; /* the second's first ms */
        expect_iso(ms);
        expect_iso(start);
        expect_iso(start + 999);
        expect_iso(start + 1000);
        expect_iso(start + 1);
    }
    char tiny[8];
    assert_string_equal(ts_iso(T_1205, tiny, sizeof tiny), "2026-01");
    char b[40];
    assert_string_equal(ts_iso(T_1205 + 5, b, sizeof b), "2026-01-01T12:05:00.005Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dw3_iso_always_millis_and_z),
        cmocka_unit_test(iso_before_epoch),
        cmocka_unit_test(iso_agrees_with_gmtime),
        cmocka_unit_test(clock_form),
        cmocka_unit_test(secs_shortest_exact_form),
        cmocka_unit_test(parse_zulu),
        cmocka_unit_test(parse_fraction),
        cmocka_unit_test(parse_offsets),
        cmocka_unit_test(parse_rejects_garbage),
        cmocka_unit_test(round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
