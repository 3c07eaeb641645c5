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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strings_after_the_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
