#include "util/datadir.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

const char *datadir_find(const char *name, char *buf, size_t n)
{
    char exe[PATH_MAX];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (l <= 0)
        return NULL;
    exe[l] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0'; /* PREFIX/bin */
    char rel[PATH_MAX + 64], real[PATH_MAX];
    snprintf(rel, sizeof rel, "%s/../share/dialsim/%s", exe, name);
    /* the path a user reads in messages: PREFIX/share/..., not PREFIX/bin/../share/... */
    if (!realpath(rel, real) || snprintf(buf, n, "%s", real) >= (int)n)
        return NULL;
    return buf;
}
