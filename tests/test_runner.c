/* The runner's pieces: collecting scenario files, stable shards, JUnit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runner/report.h"
#include "runner/runner.h"

static char dir[64];

static void touch(const char *rel)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dialsim-runner-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char p[256];
    snprintf(p, sizeof p, "%s/sub", dir);
    mkdir(p, 0700);
    touch("b.json");
    touch("a.json");
    touch("notes.txt");
    touch("sub/c.json");
    touch(".hidden.json");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void test_collect_sorted_recursive(void **state)
{
    (void)state;
    char a[256], sub[256];
    snprintf(a, sizeof a, "%s/a.json", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    const char *paths[] = {dir, a, sub}; /* a.json and sub named twice */
    char **out;
    size_t n;
    char err[256];
    assert_int_equal(runner_collect(paths, 3, &out, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_non_null(strstr(out[0], "/a.json"));
    assert_non_null(strstr(out[1], "/b.json"));
    assert_non_null(strstr(out[2], "/sub/c.json"));
    for (size_t i = 0; i < n; i++)
        free(out[i]);
    free(out);
}

static void test_collect_missing(void **state)
{
    (void)state;
    const char *paths[] = {"/nonexistent/dir"};
    char **out;
    size_t n;
    char err[256];
    assert_int_equal(runner_collect(paths, 1, &out, &n, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/dir: No such file or directory");
}

static void test_shards_partition(void **state)
{
    (void)state;
    int counts[4] = {0};
    for (int i = 0; i < 400; i++) {
        char p[64];
        snprintf(p, sizeof p, "scenarios/s%03d.json", i);
        int k = runner_shard_of(p, 4);
        assert_in_range(k, 1, 4);
        assert_int_equal(k, runner_shard_of(p, 4)); /* stable */
        counts[k - 1]++;
    }
    for (int k = 0; k < 4; k++)
        assert_in_range(counts[k], 60, 140); /* roughly even */
    assert_int_equal(runner_shard_of("x.json", 1), 1);
}

static void test_junit_escapes(void **state)
{
    (void)state;
    struct scenario s1 = {.path = "scn/a<b>.json", .name = "x"};
    struct scenario s2 = {.path = "top.json", .name = "y"};
    struct scenario *scns[] = {&s1, &s2};
    struct scenario_result res[2] = {
        {.passed = false,
         .report = "FAIL & \"quoted\"\n",
         .failures = "run 'e': status: expected \"a\"\nmore\n"},
        {.passed = true, .report = "PASS\n", .failures = ""},
    };
    char path[256];
    snprintf(path, sizeof path, "%s/j.xml", dir);
    assert_int_equal(report_junit(path, scns, res, 2, 0.5), 0);
    FILE *f = fopen(path, "r");
    char buf[4096];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "tests=\"2\" failures=\"1\""));
    assert_non_null(strstr(buf, "classname=\"scn\" name=\"a&lt;b&gt;.json\""));
    assert_non_null(strstr(buf, "message=\"run 'e': status: expected &quot;a&quot;\""));
    assert_non_null(strstr(buf, "FAIL &amp; &quot;quoted&quot;"));
    assert_non_null(strstr(buf, "<testcase classname=\".\" name=\"top.json\" time=\"0.000\"/>"));
    assert_non_null(strstr(buf, "time=\"0.500\">")); /* the suite's */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collect_sorted_recursive),
        cmocka_unit_test(test_collect_missing),
        cmocka_unit_test(test_shards_partition),
        cmocka_unit_test(test_junit_escapes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
