/* The fuzz targets without libFuzzer: feeds every file named on the command
 * line (a directory: every file in it, in name order) to the target's
 * LLVMFuzzerTestOneInput, once each. ctest runs it on
 * fuzz/regressions/<target>/ in the ordinary gcc build (and under the
 * sanitizer stage), so every input that ever crashed a target stays a test.
 * A missing directory is an empty one: a target with no crash yet passes. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + len, 1, cap - len, f)) > 0) {
        len += k;
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            } else {
                buf = nb;
            }
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "%s: out of memory\n", path);
        return -1;
    }
    printf("%s (%zu bytes)\n", path, len);
    fflush(stdout); /* the name is out before a crash */
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_path(const char *path, int *n)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* no regressions yet */
    if (!S_ISDIR(st.st_mode)) {
        (*n)++;
        return run_file(path);
    }
    struct dirent **ents;
    int m = scandir(path, &ents, NULL, by_name);
    if (m < 0) {
        perror(path);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < m; i++) {
        if (ents[i]->d_name[0] != '.' && rc == 0) {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, ents[i]->d_name);
            rc = run_path(sub, n);
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

int main(int argc, char **argv)
{
    int n = 0;
    for (int i = 1; i < argc; i++)
        if (run_path(argv[i], &n) != 0)
            return 1;
    printf("%d input(s), no crash\n", n);
    return 0;
}
