#include "util/term.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool term_colour(FILE *f)
{
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
    if (no && *no)
        return false;
    if (term && !strcmp(term, "dumb"))
        return false;
    return isatty(fileno(f)) == 1;
}

bool term_progress(void)
{
    const char *term = getenv("TERM");
    return isatty(STDERR_FILENO) == 1 && !(term && !strcmp(term, "dumb"));
}
