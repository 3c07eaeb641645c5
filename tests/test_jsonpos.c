/* jsonpos: finding a JSON path's line and column in the text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "runner/jsonpos.h"

static const char *doc = "{\n"
                         "  \"a\": 1,\n"
                         "  \"list\": [10, {\"x\": \"é\", \"y\": [true, null]}],\n"
                         "  \"s\": \"with \\\" quote\", \"t\": {}\n"
                         "}\n";

static void expect_pos(const char *path, int line, int col)
{
    int l = 0, c = 0;
    assert_int_equal(jsonpos_find(doc, strlen(doc), path, &l, &c), 0);
    assert_int_equal(l, line);
    assert_int_equal(c, col);
}

static void test_paths(void **state)
{
    (void)state;
    expect_pos("", 1, 1);
    expect_pos("a", 2, 8);
    expect_pos("list", 3, 11);
    expect_pos("list[0]", 3, 12);
    expect_pos("list[1]", 3, 16);
    expect_pos("list[1].x", 3, 22);
    expect_pos("list[1].y", 3, 32); /* columns count characters: "é" is one */
    expect_pos("list[1].y[1]", 3, 39);
    expect_pos("t", 4, 30);
}

static void test_not_found(void **state)
{
    (void)state;
    int l, c;
    assert_int_equal(jsonpos_find(doc, strlen(doc), "b", &l, &c), -1);
    assert_int_equal(jsonpos_find(doc, strlen(doc), "list[5]", &l, &c), -1);
    assert_int_equal(jsonpos_find(doc, strlen(doc), "a.b", &l, &c), -1);
    assert_int_equal(jsonpos_find("{\"a\": ", 6, "a", &l, &c), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_paths),
                                       cmocka_unit_test(test_not_found)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
