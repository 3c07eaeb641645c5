/* Unit tests for harness/store under stress (CI-9): 20 threads writing at
 * once, through one store and through a connection each, and a real crash:
 * a child killed with SIGKILL after a seeded number of acknowledgements, every
 * acknowledged transcript found after the restart. The fixture is unit.store's
 * (tests/store_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "store_fixture.h"

/* ---- 20 concurrent writers ---------------------------------------------- */

#define THREADS 20
#define PER_THREAD 50 /* calls each thread owns: 20 x 50 = 1,000 */
#define PER_REQ 5

struct writer {
    struct store *shared; /* NULL: open an own connection to path */
    const char *path;
    int t;
    int stored, duplicate, other, errors;
};

static struct tx_result *reqs[THREADS][PER_THREAD / PER_REQ]; /* read-only in threads */

/* Call ids t + 20k; request m holds k = 5m..5m+4. */
static void build_requests(void)
{
    for (int t = 0; t < THREADS; t++)
        for (int m = 0; m < PER_THREAD / PER_REQ; m++) {
            char calls[2048], one[256], id[32];
            size_t o = 0;
            for (int j = 0; j < PER_REQ; j++) {
                snprintf(id, sizeof id, "call-%04d", t + THREADS * (m * PER_REQ + j));
                o += (size_t)snprintf(calls + o, sizeof calls - o, "%s%s", j ? "," : "",
                                      call_json(one, sizeof one, id, NULL));
            }
            reqs[t][m] = request(calls);
        }
}

static void free_requests(void)
{
    for (int t = 0; t < THREADS; t++)
        for (int m = 0; m < PER_THREAD / PER_REQ; m++)
            tx_result_destroy(reqs[t][m]);
}

/* Each thread posts its own requests and its neighbour's, interleaved, so
 * every call is sent twice, by two threads racing. */
static void *writer_main(void *arg)
{
    struct writer *w = arg;
    struct store *s = w->shared;
    if (!s && store_open(&s, w->path, NULL, NULL, 0) != STORE_OK) {
        w->errors++;
        return NULL;
    }
    for (int m = 0; m < PER_THREAD / PER_REQ; m++)
        for (int who = 0; who < 2; who++) {
            const struct tx_result *r = reqs[(w->t + who) % THREADS][m];
            enum store_put_result res[PER_REQ];
            if (store_put_calls(s, "p", r->calls, r->n_calls, m, res) != STORE_OK) {
                w->errors++;
                continue;
            }
            for (int j = 0; j < PER_REQ; j++) {
                w->stored += res[j] == STORE_PUT_STORED;
                w->duplicate += res[j] == STORE_PUT_DUPLICATE;
                w->other += res[j] == STORE_PUT_CONFLICT;
            }
        }
    if (!w->shared)
        store_close(s);
    return NULL;
}

static void concurrent_writers(bool shared_store)
{
    char path[300];
    db_path(path, sizeof path, shared_store ? "threads-shared.db" : "threads-own.db");
    remove_db(path);
    struct store *s = NULL;
    assert_int_equal(store_open(&s, path, NULL, NULL, 0), STORE_OK);
    build_requests();
    static struct writer w[THREADS];
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) {
        memset(&w[t], 0, sizeof w[t]);
        w[t].shared = shared_store ? s : NULL;
        w[t].path = path;
        w[t].t = t;
        assert_int_equal(pthread_create(&th[t], NULL, writer_main, &w[t]), 0);
    }
    int n_stored = 0, duplicate = 0, other = 0, errors = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        n_stored += w[t].stored;
        duplicate += w[t].duplicate;
        other += w[t].other;
        errors += w[t].errors;
    }
    assert_int_equal(errors, 0);
    assert_int_equal(other, 0);
    assert_int_equal(n_stored, THREADS * PER_THREAD); /* nothing lost */
    assert_int_equal(duplicate, THREADS * PER_THREAD);
    assert_int_equal(count(s, "p"), THREADS * PER_THREAD); /* nothing duplicated */
    for (int i = 0; i < THREADS * PER_THREAD; i++) {
        char id[32];
        snprintf(id, sizeof id, "call-%04d", i);
        assert_true(stored(s, "p", id));
    }
    free_requests();
    store_close(s);
    remove_db(path);
}

/* CI-9 under load: 1,000 calls, each sent twice by two of 20 threads sharing
 * one store (its mutex serialises them). */
static void ci9_twenty_threads_one_store(void **state)
{
    (void)state;
    concurrent_writers(true);
}

/* The same with 20 connections to one file: SQLite's lock (BEGIN IMMEDIATE,
 * busy timeout) serialises the writers. */
static void ci9_twenty_threads_own_connections(void **state)
{
    (void)state;
    concurrent_writers(false);
}

/* ---- crash test --------------------------------------------------------- */

#define CRASH_ROUNDS 3
#define CRASH_CALLS 3 /* per request */

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* The child: store request after request and report each acknowledged one
 * ("<q>\n") only after store_put_calls returned, as the server would answer. */
static void crash_child(const char *path, int round, int fd)
{
    struct store *s = NULL;
    if (store_open(&s, path, NULL, NULL, 0) != STORE_OK)
        _exit(3);
    for (int q = 0; q < 100000; q++) {
        char calls[1024], one[256], id[48];
        size_t o = 0;
        for (int j = 0; j < CRASH_CALLS; j++) {
            snprintf(id, sizeof id, "r%d-q%d-c%d", round, q, j);
            o += (size_t)snprintf(calls + o, sizeof calls - o, "%s%s", j ? "," : "",
                                  call_json(one, sizeof one, id, NULL));
        }
        struct tx_result *r = request(calls);
        if (store_put_calls(s, "p", r->calls, r->n_calls, q, NULL) != STORE_OK)
            _exit(4);
        tx_result_destroy(r);
        char line[32];
        int n = snprintf(line, sizeof line, "%d\n", q);
        if (write(fd, line, (size_t)n) != n) /* < PIPE_BUF: atomic */
            _exit(5);
    }
    _exit(0);
}

/* Read acknowledged request numbers from fd; after `kill_after` of them,
 * SIGKILL the child, then drain what it had written. Returns the highest
 * acknowledged q (-1: none) and sets *acks. */
static int crash_parent(pid_t pid, int fd, int kill_after, int *acks)
{
    char buf[4096], line[32];
    size_t ll = 0;
    int max_q = -1, got = 0;
    bool killed = false;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != '\n') {
                if (ll < sizeof line - 1)
                    line[ll++] = buf[i];
                continue;
            }
            line[ll] = '\0';
            ll = 0;
            int q = atoi(line);
            assert_int_equal(q, max_q + 1); /* acknowledged in order */
            max_q = q;
            got++;
        }
        if (!killed && got >= kill_after) {
            kill(pid, SIGKILL);
            killed = true;
        }
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    *acks = got;
    return max_q;
}

/* CI-9 durability: a writer killed with SIGKILL at a (seeded) random point
 * loses no acknowledged call, duplicates none, and leaves no half request. */
static void ci9_acknowledged_survives_kill9(void **state)
{
    (void)state;
    char path[300];
    db_path(path, sizeof path, "crash.db");
    remove_db(path);
    uint32_t seed = 20260101;
    int64_t total = 0;
    for (int round = 0; round < CRASH_ROUNDS; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        int kill_after = 5 + (int)(lcg(&seed) % 150);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            crash_child(path, round, fds[1]);
        }
        close(fds[1]);
        int acks = 0, max_q = crash_parent(pid, fds[0], kill_after, &acks);
        close(fds[0]);
        assert_true(acks >= kill_after);

        struct store *s = NULL;
        assert_int_equal(store_open(&s, path, NULL, NULL, 0), STORE_OK);
        /* every acknowledged request whole; the one in flight whole or absent */
        int complete = 0;
        for (int q = 0; q <= max_q + 1; q++) {
            int present = 0;
            for (int j = 0; j < CRASH_CALLS; j++) {
                char id[48];
                snprintf(id, sizeof id, "r%d-q%d-c%d", round, q, j);
                present += stored(s, "p", id);
            }
            if (q <= max_q)
                assert_int_equal(present, CRASH_CALLS);
            else
                assert_true(present == 0 || present == CRASH_CALLS);
            complete += present == CRASH_CALLS;
        }
        total += (int64_t)complete * CRASH_CALLS;
        assert_int_equal(count(s, "p"), total); /* nothing twice, nothing else */
        store_close(s);
    }
    remove_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ci9_twenty_threads_one_store),
        cmocka_unit_test(ci9_twenty_threads_own_connections),
        cmocka_unit_test(ci9_acknowledged_survives_kill9),
    };
    return cmocka_run_group_tests_name("store_durability", tests, make_tmpdir, remove_tmpdir);
}
