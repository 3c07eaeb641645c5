/* Unit tests for harness/util/mem_trim: mem_trim_thread gives back the pages
 * of the calling thread's stack below its frame (checked with mincore), keeps
 * the frames it runs in, and the thread goes on using its stack afterwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/mem_trim.h"

#define DEEP (48 * 1024) /* what a request's deepest call touched, about */

/* Touch DEEP bytes of stack below the caller and return the lowest address
 * touched. */
static __attribute__((noinline)) uintptr_t go_deep(void)
{
    volatile char block[DEEP];
    for (size_t i = 0; i < sizeof block; i += 512)
        block[i] = (char)i;
    return (uintptr_t)&block[0];
}

/* How many of the pages in [lo, hi) are resident. */
static size_t resident(uintptr_t lo, uintptr_t hi)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    lo &= ~(uintptr_t)(page - 1);
    size_t n = (hi - lo + page - 1) / page;
    unsigned char vec[64];
    assert_true(n <= sizeof vec);
    assert_int_equal(mincore((void *)lo, hi - lo, vec), 0);
    size_t r = 0;
    for (size_t i = 0; i < n; i++)
        r += vec[i] & 1;
    return r;
}

struct seen {
    size_t before, after, again;
    int sum;
};

static __attribute__((noinline)) void trim_here(void)
{
    mem_trim_thread();
}

static void *worker(void *arg)
{
    struct seen *s = arg;
    volatile char mark = 0;
    uintptr_t top = (uintptr_t)&mark - 16 * 1024; /* well below this frame */
    uintptr_t low = go_deep();
    s->before = resident(low, top);
    trim_here();
    s->after = resident(low, top);
    /* the stack still works where it was given back: zeros, then our bytes */
    go_deep();
    s->again = resident(low, top);
    int sum = 0;
    for (int i = 0; i < 1000; i++)
        sum += i;
    s->sum = sum;
    return NULL;
}

static void stack_pages_below_the_frame_go_back(void **state)
{
    (void)state;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024); /* mincore's vector above fits */
    struct seen s = {0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, &attr, worker, &s), 0);
    pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
    print_message("resident pages: %zu touched, %zu after the trim, %zu touched again\n", s.before,
                  s.after, s.again);
    assert_true(s.before >= 6); /* the deep call's pages were there */
    assert_int_equal(s.after, 0);
    assert_true(s.again >= 6);
    assert_int_equal(s.sum, 499500);
}

static void the_process_wide_trim_runs(void **state)
{
    (void)state;
    mem_trim(); /* glibc's malloc_trim here: nothing to check but that it returns */
    mem_trim_thread();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stack_pages_below_the_frame_go_back),
        cmocka_unit_test(the_process_wide_trim_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
