#include "core/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void split(int64_t ms, struct tm *tm, int *milli)
{
    int64_t s = ms / 1000;
    int m = (int)(ms % 1000);
    if (m < 0) {
        m += 1000;
        s--;
    }
    time_t t = (time_t)s;
    gmtime_r(&t, tm);
    *milli = m;
}

/* The last second ts_iso wrote on this thread, and its text up to the '.':
 * a mock writes a few instants a request, mostly of the same second, and
 * gmtime_r was most of the cost of one. */
static _Thread_local int64_t iso_sec = INT64_MIN;
static _Thread_local char iso_prefix[21];

const char *ts_iso(int64_t ms, char *buf, size_t n)
{
    int64_t sec = ms >= 0 ? ms / 1000 : -1;
    if (ms >= 0 && n >= 25 && sec == iso_sec) {
        int milli = (int)(ms % 1000);
        memcpy(buf, iso_prefix, 20);
        buf[20] = (char)('0' + milli / 100);
        buf[21] = (char)('0' + milli / 10 % 10);
        buf[22] = (char)('0' + milli % 10);
        buf[23] = 'Z';
        buf[24] = '\0';
        return buf;
    }
    struct tm tm;
    int milli;
    split(ms, &tm, &milli);
    int year = tm.tm_year + 1900;
    if (n < 25 || year < 0 || year > 9999 || milli < 0) {
        snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec, milli);
        return buf;
    }
    /* digit by digit: every answer of the mocks carries a few of these, and
     * snprintf's format walk cost more than the rest of the field */
    const int parts[] = {year, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, milli};
    const int width[] = {4, 2, 2, 2, 2, 2, 3};
    const char after[] = {'-', '-', 'T', ':', ':', '.', 'Z'};
    char *p = buf;
    for (int i = 0; i < 7; i++) {
        for (int d = width[i] - 1, v = parts[i]; d >= 0; d--, v /= 10)
            p[d] = (char)('0' + v % 10);
        p += width[i];
        *p++ = after[i];
    }
    *p = '\0';
    if (ms >= 0) {
        memcpy(iso_prefix, buf, 20);
        iso_sec = sec;
    }
    return buf;
}

const char *ts_clock(int64_t ms, char *buf, size_t n)
{
    struct tm tm;
    int milli;
    split(ms, &tm, &milli);
    if (milli == 0)
        snprintf(buf, n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    else if (milli % 100 == 0)
        snprintf(buf, n, "%02d:%02d:%02d.%d", tm.tm_hour, tm.tm_min, tm.tm_sec, milli / 100);
    else
        snprintf(buf, n, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, milli);
    return buf;
}

const char *ts_secs(int64_t ms, char *buf, size_t n)
{
    const char *sign = "";
    if (ms < 0) {
        sign = "-";
        ms = -ms;
    }
    long long whole = ms / 1000;
    int frac = (int)(ms % 1000);
    if (frac == 0)
        snprintf(buf, n, "%s%lld s", sign, whole);
    else if (frac % 100 == 0)
        snprintf(buf, n, "%s%lld.%d s", sign, whole, frac / 100);
    else if (frac % 10 == 0)
        snprintf(buf, n, "%s%lld.%02d s", sign, whole, frac / 10);
    else
        snprintf(buf, n, "%s%lld.%03d s", sign, whole, frac);
    return buf;
}

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    /* Howard Hinnant's algorithm: days since 1970-01-01. */
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

/* True when s starts with pattern, where 'd' stands for one ASCII digit. sscanf's
 * %d alone would also take signs and leading blanks ("T-1:05", "+-1:00"). */
static int shaped(const char *s, const char *pattern)
{
    for (; *pattern; pattern++, s++) {
        if (*pattern == 'd' ? !(*s >= '0' && *s <= '9') : *s != *pattern)
            return 0;
    }
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

int ts_parse_iso(const char *s, int64_t *ms_out)
{
    int y, mo, d, h, mi, sec, used = 0;
    if (!s || !shaped(s, "dddd-dd-ddTdd:dd:dd") ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6 ||
        used != 19)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return -1;
    const char *p = s + used;
    int milli = 0;
    if (*p == '.') {
        p++;
        int digits = 0, scale = 100;
        while (*p >= '0' && *p <= '9') {
            if (digits < 3)
                milli += (*p - '0') * scale;
            scale /= 10;
            digits++;
            p++;
        }
        if (digits == 0)
            return -1;
    }
    int off = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!shaped(p + 1, "dd:dd") || sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 || strlen(p) != 6 ||
            oh > 23 || om > 59)
            return -1;
        off = (oh * 60 + om) * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    *ms_out = ((days * 86400 + h * 3600 + mi * 60 + sec) - (int64_t)off * 60) * 1000 + milli;
    return 0;
}
