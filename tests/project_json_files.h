/* Every JSON file of the project (fixtures, scenarios, docs, the providers'
 * catalogues, the tests' own, dist), read whole, for the unit tests that hold
 * a JSON module of ours to jansson on all of them (test_json_write.c,
 * test_json_fast.c). Header-only: each test is one file. */
#ifndef DIALSIM_TESTS_PROJECT_JSON_FILES_H
#define DIALSIM_TESTS_PROJECT_JSON_FILES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef void (*project_json_fn)(const char *path, const char *text, size_t len);

static size_t project_json_walk(const char *dir, project_json_fn fn)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "node_modules") ||
            !strncmp(e->d_name, "build", 5))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            n += project_json_walk(path, fn);
            continue;
        }
        size_t l = strlen(e->d_name);
        FILE *f = l >= 5 && !strcmp(e->d_name + l - 5, ".json") ? fopen(path, "rb") : NULL;
        if (!f)
            continue;
        char *text = malloc((size_t)st.st_size + 1);
        size_t got = text ? fread(text, 1, (size_t)st.st_size, f) : 0;
        fclose(f);
        if (text) {
            text[got] = '\0';
            fn(path, text, got);
            n++;
        }
        free(text);
    }
    closedir(d);
    return n;
}

/* fn on every file under root (the source tree); the number of files. */
static inline size_t project_json_files(const char *root, project_json_fn fn)
{
    const char *dirs[] = {"fixtures", "scenarios", "docs", "mocks/data", "tests", "dist"};
    size_t n = 0;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
        n += project_json_walk(p, fn);
    }
    return n;
}

#endif
