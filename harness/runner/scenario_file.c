/* scenario.h: a scenario from a file (read whole, then scenario_parse). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/scenario.h"

char *scenario_read_file(const char *path, size_t *len_out, char *err, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, n, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                snprintf(err, n, "%s: out of memory", path);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        snprintf(err, n, "%s: read error", path);
        return NULL;
    }
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

int scenario_load(const char *path, struct scenario **out, char *err, size_t n)
{
    *out = NULL;
    size_t len;
    char *buf = scenario_read_file(path, &len, err, n);
    if (!buf)
        return -1;
    int rc = scenario_parse(path, buf, len, out, err, n);
    free(buf);
    return rc;
}
