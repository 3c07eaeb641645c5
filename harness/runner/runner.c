#include "runner/runner.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "runner/report.h"
#include "runner/scenario.h"
#include "runner/world.h"
#include "util/term.h"

struct pathlist {
    char **v;
    size_t n, cap;
};

static int push(struct pathlist *l, const char *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n] = strdup(p);
    return l->v[l->n++] ? 0 : -1;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static int walk(const char *dir, struct pathlist *l, char *err, size_t errn)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errn, "%s: cannot read folder: %s", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        size_t dl = strlen(dir);
        snprintf(p, sizeof p, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", e->d_name);
        struct stat st;
        if (stat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk(p, l, err, errn);
        else if (ends_with(p, ".json"))
            rc = push(l, p);
    }
    closedir(d);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int runner_collect(const char *const *paths, size_t n, char ***out, size_t *count, char *err,
                   size_t errn)
{
    struct pathlist l = {0};
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            snprintf(err, errn, "%s: %s", paths[i], strerror(errno));
            goto fail;
        }
        if (S_ISDIR(st.st_mode)) {
            if (walk(paths[i], &l, err, errn))
                goto fail;
        } else if (push(&l, paths[i])) {
            snprintf(err, errn, "out of memory");
            goto fail;
        }
    }
    qsort(l.v, l.n, sizeof *l.v, cmp_str);
    /* the same file named twice runs once */
    size_t k = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (k > 0 && strcmp(l.v[k - 1], l.v[i]) == 0)
            free(l.v[i]);
        else
            l.v[k++] = l.v[i];
    }
    *out = l.v;
    *count = k;
    return 0;
fail:
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i]);
    free(l.v);
    return -1;
}

/* FNV-1a of the path: a scenario stays in its shard when others are added. */
int runner_shard_of(const char *path, int n)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return (int)(h % (uint64_t)n) + 1;
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* --timing: how long scenarios took, on stderr. */
static void print_timing(struct scenario *const *scns, const struct scenario_result *res, size_t n,
                         int64_t total_us, int jobs)
{
    int64_t *v = malloc(n * sizeof *v);
    if (!v)
        return;
    size_t slowest = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = res[i].wall_us;
        if (res[i].wall_us > res[slowest].wall_us)
            slowest = i;
    }
    qsort(v, n, sizeof *v, cmp_i64);
    fprintf(stderr,
            "timing: %zu scenarios in %.3f s with -j %d (%.0f scenarios/s); per scenario: median "
            "%.3f ms, p99 %.3f ms, max %.3f ms (%s)\n",
            n, total_us / 1e6, jobs, total_us > 0 ? n / (total_us / 1e6) : 0.0, v[n / 2] / 1e3,
            v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1e3, v[n - 1] / 1e3,
            scns[slowest]->path);
    free(v);
}

struct pool {
    struct scenario **scns;
    struct scenario_result *res;
    size_t n;
    atomic_size_t next;
    bool verbose;
    atomic_int harness_failed;
    atomic_size_t done, failed; /* for the progress line */
    atomic_int running;         /* workers not yet finished */
};

static void *work(void *arg)
{
    struct pool *p = arg;
    struct worker *wk;
    if (worker_create(&wk) != 0) {
        fprintf(stderr, "dialsim: could not start a worker (mock server or HTTP client)\n");
        atomic_store(&p->harness_failed, 1);
        atomic_fetch_sub(&p->running, 1);
        return NULL;
    }
    size_t i;
    while ((i = atomic_fetch_add(&p->next, 1)) < p->n) {
        int64_t t0 = mono_us();
        if (worker_run(wk, p->scns[i], p->verbose, &p->res[i]) != 0)
            atomic_store(&p->harness_failed, 1);
        p->res[i].wall_us = mono_us() - t0;
        atomic_fetch_add(&p->failed, !p->res[i].passed);
        atomic_fetch_add(&p->done, 1);
    }
    worker_destroy(wk);
    atomic_fetch_sub(&p->running, 1);
    return NULL;
}

/* On a terminal's stderr only (term_progress): "[ 37/127] 1 failed" redrawn
 * every 100 ms until the workers are done, then wiped, so stdout and a
 * redirected stderr stay exactly as they were. */
static void show_progress(struct pool *p)
{
    bool colour = term_colour(stderr);
    for (;;) {
        size_t done = atomic_load(&p->done), failed = atomic_load(&p->failed);
        fprintf(stderr, TERM_CLEAR_LINE "dialsim run [%*zu/%zu]", p->n >= 100 ? 4 : 3, done, p->n);
        if (failed)
            fprintf(stderr, " %s%zu failed%s", colour ? TERM_RED : "", failed,
                    colour ? TERM_RESET : "");
        fflush(stderr);
        if (atomic_load(&p->running) == 0)
            break;
        nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
    }
    fputs(TERM_CLEAR_LINE, stderr);
    fflush(stderr);
}

/* One scenario's report on stdout; on a terminal, its verdict in colour. */
static void print_report(const char *rep, bool colour)
{
    static const struct {
        const char *word, *sgr;
    } verdicts[] = {{"PASS", TERM_GREEN}, {"FAIL", TERM_RED}, {"ERROR", TERM_RED}};
    for (size_t k = 0; colour && k < sizeof verdicts / sizeof *verdicts; k++) {
        size_t l = strlen(verdicts[k].word);
        if (!strncmp(rep, verdicts[k].word, l)) {
            printf("%s%s%s%s", verdicts[k].sgr, verdicts[k].word, TERM_RESET, rep + l);
            return;
        }
    }
    fputs(rep, stdout);
}

int runner_main(const char *const *paths, size_t n, const struct run_options *o)
{
    char err[1024];
    char **files = NULL;
    size_t nf = 0;
    if (runner_collect(paths, n, &files, &nf, err, sizeof err) != 0) {
        fprintf(stderr, "dialsim: %s\n", err);
        return 2;
    }
    struct scenario **scns = calloc(nf ? nf : 1, sizeof *scns);
    size_t ns = 0;
    int bad = 0;
    for (size_t i = 0; i < nf; i++) {
        if (o->shard_n > 0 && runner_shard_of(files[i], o->shard_n) != o->shard_k)
            continue;
        if (scenario_load(files[i], &scns[ns], err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            bad++;
            continue;
        }
        ns++;
    }
    for (size_t i = 0; i < nf; i++)
        free(files[i]);
    free(files);
    int code = 0;
    struct scenario_result *res = calloc(ns ? ns : 1, sizeof *res);
    if (bad) {
        fprintf(stderr, "dialsim: %d scenario file%s unusable; nothing was run\n", bad,
                bad == 1 ? " is" : "s are");
        code = 2;
        goto out;
    }
    if (ns == 0) {
        fprintf(stderr, "dialsim: no scenario files found\n");
        code = 2;
        goto out;
    }
    /* JSON and HTML carry every run, which only a verbose replay collects */
    struct pool p = {
        .scns = scns, .res = res, .n = ns, .verbose = o->verbose || o->json || o->html};
    int jobs = o->jobs < 1 ? 1 : o->jobs;
    if ((size_t)jobs > ns)
        jobs = (int)ns;
    pthread_t th[64];
    if (jobs > 64)
        jobs = 64;
    int started = 0;
    int64_t t0 = mono_us();
    atomic_store(&p.running, jobs);
    for (int j = 0; j < jobs; j++)
        if (pthread_create(&th[j], NULL, work, &p) == 0)
            started++;
        else
            atomic_fetch_sub(&p.running, 1);
    if (term_progress())
        show_progress(&p);
    for (int j = 0; j < started; j++)
        pthread_join(th[j], NULL);
    int64_t took = mono_us() - t0;
    size_t passed = 0, failed = 0;
    bool colour = !o->json && term_colour(stdout);
    for (size_t i = 0; i < ns; i++) {
        if (res[i].report && !o->json)
            print_report(res[i].report, colour);
        if (res[i].passed)
            passed++;
        else
            failed++;
    }
    if (o->json)
        report_json(stdout, scns, res, ns, took / 1e6);
    else
        printf("\n%zu scenario%s: %s%zu passed%s, %s%zu failed%s\n", ns, ns == 1 ? "" : "s",
               colour && passed ? TERM_GREEN : "", passed, colour && passed ? TERM_RESET : "",
               colour && failed ? TERM_RED : "", failed, colour && failed ? TERM_RESET : "");
    fflush(stdout);
    if (o->timing)
        print_timing(scns, res, ns, took, jobs);
    if (o->junit && report_junit(o->junit, scns, res, ns, took / 1e6) != 0) {
        fprintf(stderr, "dialsim: cannot write %s: %s\n", o->junit, strerror(errno));
        code = 2;
    } else if (o->html && report_html(o->html, scns, res, ns, took / 1e6) != 0) {
        fprintf(stderr, "dialsim: cannot write %s: %s\n", o->html, strerror(errno));
        code = 2;
    } else if (atomic_load(&p.harness_failed) || started == 0) {
        code = 2;
    } else {
        code = failed ? 1 : 0;
    }
out:
    for (size_t i = 0; i < ns; i++) {
        scenario_result_clear(&res[i]);
        scenario_free(scns[i]);
    }
    free(res);
    free(scns);
    return code;
}
