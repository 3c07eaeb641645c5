#include "core/e164.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

bool e164_valid(const char *s)
{
    char buf[96]; /* not the static one: workers check numbers at once */
    return e164_problem(s, buf, sizeof buf) == NULL;
}

static size_t count_digits(const char *s)
{
    size_t d = 0;
    for (; *s; s++)
        if (isdigit((unsigned char)*s))
            d++;
    return d;
}

/* AO-5 */
const char *e164_problem(const char *s, char *buf, size_t n)
{
    static char local[96];
    if (!buf) {
        buf = local;
        n = sizeof local;
    }
    if (!s || !*s)
        return "is empty";
    if (s[0] != '+')
        return "does not start with \"+\"";
    size_t len = strlen(s);
    for (size_t i = 1; i < len; i++) {
        if (!isdigit((unsigned char)s[i])) {
            snprintf(buf, n, "has %s at position %zu; only digits may follow \"+\"",
                     s[i] == ' ' ? "a space" : "a non-digit", i + 1);
            return buf;
        }
    }
    if (len == 1)
        return "has no digits after \"+\"";
    if (s[1] == '0')
        return "has a leading zero after \"+\" (country codes never start with 0)";
    if (len - 1 < E164_MIN_DIGITS) {
        snprintf(buf, n, "has %zu digit; at least %d are needed (a country code and a number)",
                 len - 1, E164_MIN_DIGITS);
        return buf;
    }
    if (len - 1 > E164_MAX_DIGITS) {
        snprintf(buf, n, "has %zu digits; at most %d are allowed", len - 1, E164_MAX_DIGITS);
        return buf;
    }
    return NULL;
}

static const char *ordinal(size_t i, size_t total, char *buf, size_t n)
{
    if (i + 1 == total)
        return "last";
    static const char *small[] = {"first", "second", "third"};
    if (i < 3)
        return small[i];
    snprintf(buf, n, "%zuth", i + 1);
    return buf;
}

const char *e164_difference(const char *got, const char *want, char *buf, size_t n)
{
    if (!got || !*got) {
        snprintf(buf, n, "is empty");
        return buf;
    }
    if (!want || !*want) {
        snprintf(buf, n, "cannot match an empty number");
        return buf;
    }
    if (strcmp(got, want) == 0) {
        snprintf(buf, n, "is identical");
        return buf;
    }
    if (got[0] != '+' && want[0] == '+' && strcmp(got, want + 1) == 0) {
        snprintf(buf, n, "lacks the leading +");
        return buf;
    }
    size_t gd = count_digits(got), wd = count_digits(want);
    char pb[96]; /* not the static buffer: -j workers diagnose at once */
    if (strlen(got) != strlen(want) || !e164_valid(got)) {
        if (!e164_valid(got))
            snprintf(buf, n, "is not E.164 (it %s)", e164_problem(got, pb, sizeof pb));
        else if (gd != wd)
            snprintf(buf, n, "has %zu digits instead of %zu", gd, wd);
        else if (want[0] != '+' && strcmp(got + 1, want) == 0)
            snprintf(buf, n, "has the leading + that the other number lacks");
        else /* as many digits, so `want` holds non-digits: it is not E.164 */
            snprintf(buf, n, "is E.164; the other number is not (it %s)",
                     e164_problem(want, pb, sizeof pb));
        return buf;
    }
    /* Same length, both E.164: count differing digits. */
    size_t len = strlen(got), diffs = 0, first = 0;
    for (size_t i = 0; i < len; i++) {
        if (got[i] != want[i]) {
            if (diffs++ == 0)
                first = i;
        }
    }
    if (diffs == 1) {
        char ob[24];
        snprintf(buf, n, "differs in the %s digit", ordinal(first - 1, len - 1, ob, sizeof ob));
    } else {
        snprintf(buf, n, "differs in %zu digits", diffs);
    }
    return buf;
}
