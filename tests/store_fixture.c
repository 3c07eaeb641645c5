/* The fixture of unit.store and unit.store_durability (tests/store_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_fixture.h"

/* A validated request holding the given call JSON objects (comma-joined). */
struct tx_result *request(const char *calls_json)
{
    char body[8192];
    snprintf(body, sizeof body, "{\"agent_id\":42,\"calls\":[%s]}", calls_json);
    struct tx_header h = {"X-CEKURA-API-KEY", KEY};
    struct tx_request req = {&h, 1, "application/json", body, strlen(body), KEY, 0};
    struct tx_result *r = NULL;
    if (tx_validate(&r, &req) != 0 || r->status != 200)
        fail_msg("not valid: %s", r ? r->body : "(oom)");
    return r;
}

/* {"id":"<id>", times, "to_phone_number":"<to>"} */
const char *call_json(char *buf, size_t n, const char *id, const char *extra)
{
    snprintf(buf, n, "{\"id\":\"%s\"," TIMES "%s%s}", id, extra ? "," : "", extra ? extra : "");
    return buf;
}

int64_t count(struct store *s, const char *project)
{
    int64_t n = -1;
    assert_int_equal(store_count(s, project, &n), STORE_OK);
    return n;
}

bool stored(struct store *s, const char *project, const char *id)
{
    struct store_call *c;
    assert_int_equal(store_get_call(s, project, id, &c), STORE_OK);
    store_call_free(c);
    return c != NULL;
}

struct store *open_mem(void)
{
    struct store *s = NULL;
    char err[256];
    assert_int_equal(store_open(&s, ":memory:", NULL, err, sizeof err), STORE_OK);
    return s;
}

char tmpdir[64];

const char *db_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
    return buf;
}

void remove_db(const char *path)
{
    char p[320];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dialsim-store-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

int remove_tmpdir(void **state)
{
    (void)state;
    return rmdir(tmpdir);
}
