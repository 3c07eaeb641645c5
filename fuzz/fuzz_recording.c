/* Fuzz target: `dialsim check-recording` on hostile files: libsndfile's
 * readers (WAV, FLAC, OGG/Vorbis/Opus, MP3, AIFF, ...) and our analysis and
 * checks (audio/recording*.c). libsndfile opens paths, so each input is
 * written to one temporary file, reused. Seeds: small files that fuzz/run.sh
 * makes with `dialsim` or sox. Leaks inside libvorbis on malformed OGG are a
 * known third-party bug (docs/reliability.md): fuzz/lsan.supp names it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "audio/recording.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmp_file[64];

static void remove_tmp(void)
{
    unlink(tmp_file);
}

static const char *tmp_path(int *fd_out)
{
    static int fd = -1;
    if (fd < 0) {
        snprintf(tmp_file, sizeof tmp_file, "/tmp/dialsim-fuzz-rec-XXXXXX");
        fd = mkstemp(tmp_file);
        if (fd < 0)
            abort();
        atexit(remove_tmp); /* libFuzzer's crash exits skip it: /tmp keeps that one */
    }
    *fd_out = fd;
    return tmp_file;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd;
    const char *path = tmp_path(&fd);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        return 0;
    struct rec_analysis a;
    char err[512];
    struct rec_options opt = {.block_frames = 512}; /* several blocks even for small files */
    if (rec_analyze(path, &opt, &a, err, sizeof err) == 0) {
        struct rec_expect e;
        rec_expect_init(&e);
        e.duration_s = 1;
        e.max_silence_s = 0.5;
        struct rec_failures f;
        (void)rec_check(&a, &e, &f);
    }
    return 0;
}
