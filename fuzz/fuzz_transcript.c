/* Fuzz target: the transcript webhook's validator and store, end to end
 * through ingest_handle (core/transcript*.c, store/store.c, ingest/ingest.c)
 * with an in-memory SQLite store opened once. Input: headers, an empty line,
 * the body (fuzz_util.h). The project's key is "k1"; the dictionary has it.
 * Seeds: fixtures/transcripts/{valid,invalid}/ behind a head (fuzz/run.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

#include "fuzz_util.h"
#include "ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *store_once(void)
{
    static struct store *st;
    if (!st) {
        char err[256];
        if (store_open(&st, ":memory:", NULL, err, sizeof err) != STORE_OK)
            abort(); /* the harness itself is broken: say so loudly */
    }
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_msg m;
    if (fuzz_msg_split(data, size, &m) != 0)
        return 0;
    struct tx_header hs[FUZZ_MAX_HEADERS];
    const char *ctype = NULL;
    for (size_t i = 0; i < m.nh; i++) {
        hs[i].name = m.h[i].name;
        hs[i].value = m.h[i].value;
        if (!strcasecmp(m.h[i].name, "Content-Type"))
            ctype = m.h[i].value;
    }
    struct tx_request rq = {
        .headers = hs,
        .n_headers = m.nh,
        .content_type = ctype,
        .body = m.body,
        .body_len = m.body_len,
        .api_key = "k1",
        .max_body = 64 * 1024, /* 413 is reachable without megabyte inputs */
    };
    struct ingest_answer ans = {0};
    if (ingest_handle(NULL, store_once(), "acme", &rq, 1767268800000, &ans) == 0)
        ingest_answer_clear(&ans);
    fuzz_msg_free(&m);
    return 0;
}
