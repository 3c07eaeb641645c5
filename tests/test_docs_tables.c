/* docs/scenario-format.md's lists are checked against the code (issue 14): the
 * agents table and update_agent's `set` list name every key the loader takes
 * for an agent (runner/scenario.c), and expect.runs' `reason` row names every
 * reason code (core/reason.h). A key or a code added to the code without its
 * line in the docs fails here, with the name that is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reason.h"
#include "runner/scenario.h"

static char *read_doc(void)
{
    const char *path = DIALSIM_SOURCE_DIR "/docs/scenario-format.md";
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    char chunk[8192];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got + 1 > cap) {
            cap = (len + got + 1) * 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        memcpy(buf + len, chunk, got);
        len += got;
    }
    fclose(f);
    assert_non_null(buf);
    buf[len] = '\0';
    return buf;
}

/* The text from the heading line `start` to the next "\n## " (a copy). */
static char *section(const char *doc, const char *start)
{
    const char *a = strstr(doc, start);
    assert_non_null(a);
    const char *b = strstr(a + strlen(start), "\n## ");
    size_t n = b ? (size_t)(b - a) : strlen(a);
    char *s = strndup(a, n);
    assert_non_null(s);
    return s;
}

/* The table row (one line) of `section` that starts with "| `key` |". */
static char *row(const char *sec, const char *key)
{
    char want[128];
    snprintf(want, sizeof want, "\n| `%s` |", key);
    const char *a = strstr(sec, want);
    if (!a)
        return NULL;
    const char *b = strchr(a + 1, '\n');
    return strndup(a + 1, b ? (size_t)(b - a - 1) : strlen(a + 1));
}

static void agents_table_names_every_agent_key(void **state)
{
    (void)state;
    char *doc = read_doc();
    char *sec = section(doc, "\n## agents\n");
    int missing = 0;
    for (size_t i = 0; scenario_agent_key(i); i++) {
        char *r = row(sec, scenario_agent_key(i));
        if (!r) {
            fprintf(stderr, "docs/scenario-format.md: the agents table has no row for `%s`\n",
                    scenario_agent_key(i));
            missing++;
        }
        free(r);
    }
    free(sec);
    free(doc);
    assert_int_equal(missing, 0);
}

static void update_agent_lists_every_settable_key(void **state)
{
    (void)state;
    char *doc = read_doc();
    char *sec = section(doc, "\n## steps\n");
    char *r = row(sec, "update_agent");
    assert_non_null(r);
    int missing = 0;
    for (size_t i = 0; scenario_agent_key(i); i++) {
        const char *k = scenario_agent_key(i);
        if (strcmp(k, "id") == 0 || strcmp(k, "project") == 0)
            continue; /* the keys `set` refuses: an agent keeps its id and project */
        char want[128];
        snprintf(want, sizeof want, "`%s`", k);
        if (!strstr(r, want)) {
            fprintf(stderr, "docs/scenario-format.md: update_agent's set list lacks `%s`\n", k);
            missing++;
        }
    }
    free(r);
    free(sec);
    free(doc);
    assert_int_equal(missing, 0);
}

static void reason_row_names_every_code(void **state)
{
    (void)state;
    char *doc = read_doc();
    char *sec = section(doc, "\n### expect.runs\n");
    char *r = row(sec, "reason");
    assert_non_null(r);
    int missing = 0;
    for (int i = DS_REASON_NONE + 1; i < DS_REASON__COUNT; i++) {
        char want[96];
        snprintf(want, sizeof want, "`%s`", reason_name((enum ds_reason)i));
        if (!strstr(r, want)) {
            fprintf(stderr, "docs/scenario-format.md: expect.runs' reason row lacks %s\n", want);
            missing++;
        }
    }
    free(r);
    free(sec);
    free(doc);
    assert_int_equal(missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(agents_table_names_every_agent_key),
        cmocka_unit_test(update_agent_lists_every_settable_key),
        cmocka_unit_test(reason_row_names_every_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
