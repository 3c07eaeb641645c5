/* The provider mocks in `dialsim serve` (docs/mocks.md): the same mock
 * world `dialsim run` builds per scenario (mocks/mock_build.h), built once on
 * the wall clock and served on a port of its own, so that a user's own test
 * suite can point a provider SDK at it. The mocks really wait the latency they
 * are given; the dial delay, the ring timeout and the webhooks are timers of
 * sim/clock_real.c, which runs them on its thread with the core lock held:
 * the PSTN reaches the core's inbound gate (AO-3, DW-2) and the webhooks the
 * core's handler as in a simulated run. Mock state is guarded by mw.mu, the
 * PSTN's by the core lock (every PSTN call comes from a timer or a handler of
 * the core's API). */
#include "serve/serve_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json_depth.h"
#include "faults.h"
#include "mock_build.h"
#include "mock_server.h"
#include "serve/serve_admin.h"
#include "serve/serve_webhook_out.h"
#include "pstn.h"
#include "runner/jsonpos.h"
#include "runner/scenario.h"

int srv_mocks_check(const json_t *mocks, const char *file, char *err, size_t n)
{
    if (!mocks)
        return 0;
    /* what needs a part of `dialsim run` that serve has not */
    static const char *const not_here[][2] = {
        {"customer_backend", "post transcripts to POST /projects/{project}/transcripts instead"},
        {"trigger_endpoints",
         "the core refuses http:// trigger URLs outside simulated runs (TU-2)"},
    };
    for (size_t i = 0; json_is_object(mocks) && i < 2; i++)
        if (json_object_get(mocks, not_here[i][0])) {
            snprintf(err, n, "%s: at mocks.%s: not available in serve mode: %s", file,
                     not_here[i][0], not_here[i][1]);
            return -1;
        }
    char path[320], msg[512];
    if (scenario_check_mocks(mocks, path, sizeof path, msg, sizeof msg) != 0) {
        snprintf(err, n, "%s: at %s: %s", file, path, msg);
        return -1;
    }
    return 0;
}

static uint64_t random_seed(void)
{
    uint64_t seed = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &seed, sizeof seed) != (ssize_t)sizeof seed)
            seed = 0;
        close(fd);
    }
    return seed ^ (uint64_t)clock_real_now();
}

int srv_mocks_start(struct serve *s, const json_t *cfg, const char *host, int port,
                    const char **urls, const char *const *default_urls, char *err, size_t n)
{
    const json_t *mocks = json_object_get(cfg, "mocks");
    if (!mocks)
        return 0;
    char tmpl[] = "/tmp/dialsim-serve-XXXXXX";
    if (!mkdtemp(tmpl) || !(s->mock_tmpdir = strdup(tmpl))) {
        snprintf(err, n, "cannot make a folder for the mocks' recordings in /tmp");
        return -1;
    }
    struct mock_server_options mo = {.host = host,
                                     .port = port,
                                     .threads = s->mock_threads > 0 ? s->mock_threads
                                                                    : SERVE_DEFAULT_THREADS,
                                     .real_time = true,
                                     .time_scale = s->time_scale,
                                     .keep_alive = true,
                                     .admin_token = s->admin_token,
                                     .check_host = s->loopback};
    /* a long-poll holds a worker: at most half of them wait (docs/mocks.md#admin) */
    s->mw.limits.max_waiters = mo.threads / 2 > 0 ? mo.threads / 2 : 1;
    char why[200];
    if (mock_server_create_opts(&s->mock_srv, &mo, why, sizeof why) != 0) {
        snprintf(err, n, "the provider mocks (--mock-port): %s", why);
        return -1;
    }
    s->mw.clock = clock_real_port(s->clock);
    snprintf(s->mock_url, sizeof s->mock_url, "%s", mock_server_url(s->mock_srv));
    s->mw.base_url = s->mock_url;
    s->mw.tmpdir = s->mock_tmpdir;
    /* ids differ from one start to the next: a call id of yesterday's server
     * never names today's call */
    if (mock_world_build(&s->mw, mocks, json_object_get(cfg, "agents"), random_seed()) != 0) {
        snprintf(err, n, "cannot build the mocks (out of memory?)");
        return -1;
    }
    if (webhook_out_create(&s->webhook_out) != 0) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    s->mock_cfg = json_incref((json_t *)mocks);
    s->mocks_on = true; /* bound by srv_mocks_attach, once wired to the core */
    for (int p = 1; p < DS_PROVIDER__COUNT; p++)
        if (urls[p] == default_urls[p])
            urls[p] = mock_server_url(s->mock_srv);
    return 0;
}

static bool line_offer(void *ctx, const char *from, const char *to, uint64_t *token)
{
    return core_inbound_offer(ctx, from, to, token);
}
static void line_hangup(void *ctx, uint64_t token)
{
    core_inbound_hangup(ctx, token);
}
static const struct pstn_line_ops core_lines = {line_offer, line_hangup};

static int deliver_webhook(void *ctx, const char *provider, const struct ds_header *h, size_t nh,
                           const char *body, size_t len)
{
    char err[300];
    return core_provider_webhook(ctx, (enum ds_provider)provider_from_name(provider), h, nh, body,
                                 len, err, sizeof err);
}

void srv_mocks_attach(struct serve *s)
{
    if (!s->mocks_on)
        return;
    pstn_set_core(s->mw.pstn, &core_lines, s->core);
    s->mw.sink = (struct mock_webhook_sink){
        .deliver = deliver_webhook,
        .post = s->webhook_out ? webhook_out_post : NULL,
        .ctx = s->core,
        .post_ctx = s->webhook_out,
    };
    s->mw.admin = (struct mock_admin){srv_admin_handle, s};
    /* only now can a request place a call whose timers reach the core */
    mock_server_bind(s->mock_srv, &s->mw);
}

void srv_mocks_add_line(struct serve *s, const char *number)
{
    if (s->mocks_on && number)
        pstn_add_line(s->mw.pstn, number);
}

const char *serve_mocks_url(const struct serve *s)
{
    return s->mock_srv && s->mocks_on ? mock_server_url(s->mock_srv) : NULL;
}

void srv_mocks_stop_server(struct serve *s)
{
    mock_server_destroy(s->mock_srv);
    s->mock_srv = NULL;
    /* webhooks on their way to users' servers are cut short and waited for:
     * their answers go to the world, freed after */
    webhook_out_stop(s->webhook_out);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[4096];
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

void srv_mocks_free(struct serve *s)
{
    srv_mocks_stop_server(s);
    if (s->mocks_on)
        mock_world_unbuild(&s->mw);
    s->mocks_on = false;
    if (s->mock_tmpdir)
        remove_tree(s->mock_tmpdir);
    free(s->mock_tmpdir);
    s->mock_tmpdir = NULL;
    webhook_out_destroy(s->webhook_out);
    s->webhook_out = NULL;
    json_decref(s->mock_cfg);
    s->mock_cfg = NULL;
}
