/* What unit.store and unit.store_durability share (tests/store_fixture.c):
 * valid transcript requests, counts and look-ups, and a temporary directory
 * per group (make_tmpdir/remove_tmpdir as the group's setup and teardown). */
#ifndef DIALSIM_TESTS_STORE_FIXTURE_H
#define DIALSIM_TESTS_STORE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define KEY "sk-test"
#define TIMES "\"startedAt\":\"2026-01-01T12:00:00Z\",\"endedAt\":\"2026-01-01T12:03:30Z\""

/* A validated request holding the given call JSON objects (comma-joined). */
struct tx_result *request(const char *calls_json);
/* {"id":"<id>", times, extra} */
const char *call_json(char *buf, size_t n, const char *id, const char *extra);
int64_t count(struct store *s, const char *project);
bool stored(struct store *s, const char *project, const char *id);
struct store *open_mem(void);

/* the group's directory (make_tmpdir) and a file's path in it */
extern char tmpdir[64];
const char *db_path(char *buf, size_t n, const char *name);
/* the database file and its -wal and -shm */
void remove_db(const char *path);
int make_tmpdir(void **state);
int remove_tmpdir(void **state);

#endif
