/* Unit tests for harness/util/str_block: a record and its strings in one
 * block (the mocks' calls and the PSTN's records, docs/benchmarks.md run 9). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/str_block.h"

struct rec {
    int n;
    char *a, *b, *c;
    long tail;
};

static void strings_after_the_head(void **state)
{
    (void)state;
    static const size_t at[3] = {offsetof(struct rec, a), offsetof(struct rec, b),
                                 offsetof(struct rec, c)};
    char src_a[] = "+15551234567";
    struct rec *r = str_block_new(sizeof *r, 3, (const char *[]){src_a, "", NULL}, at);
    assert_non_null(r);
    src_a[0] = 'x'; /* a copy, not the caller's string */
    assert_string_equal(r->a, "+15551234567");
    assert_string_equal(r->b, "");
    assert_null(r->c);
    assert_int_equal(r->n, 0); /* the head is zeroed */
    assert_int_equal(r->tail, 0);
    /* the copies live in the block, right after the head */
    assert_ptr_equal(r->a, (char *)(r + 1));
    assert_ptr_equal(r->b, r->a + strlen(r->a) + 1);
    free(r);
}

/* At most STR_BLOCK_MAX strings (the lengths are measured once, into an
 * array of that size): as many is a block, one more is refused. */
static void at_most_str_block_max(void **state)
{
    (void)state;
    struct many {
        char *s[STR_BLOCK_MAX + 1];
    };
    size_t at[STR_BLOCK_MAX + 1];
    const char *src[STR_BLOCK_MAX + 1];
    for (size_t i = 0; i <= STR_BLOCK_MAX; i++) {
        at[i] = offsetof(struct many, s) + i * sizeof(char *);
        src[i] = i % 2 ? "odd" : "even";
    }
    struct many *m = str_block_new(sizeof *m, STR_BLOCK_MAX, src, at);
    assert_non_null(m);
    for (size_t i = 0; i < STR_BLOCK_MAX; i++)
        assert_string_equal(m->s[i], src[i]);
    assert_null(m->s[STR_BLOCK_MAX]);
    free(m);
    assert_null(str_block_new(sizeof *m, STR_BLOCK_MAX + 1, src, at));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strings_after_the_head),
        cmocka_unit_test(at_most_str_block_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
