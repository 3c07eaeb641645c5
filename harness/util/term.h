/* What a terminal gets that a file or a pipe does not: colour on stdout when
 * it is a terminal and the user has not asked for none (https://no-color.org:
 * NO_COLOR set and not empty; also TERM=dumb), and a progress line on stderr
 * only when stderr is a terminal, so that logs, pipes and CI files stay
 * byte-identical to before. */
#ifndef DIALSIM_TERM_H
#define DIALSIM_TERM_H

#include <stdbool.h>
#include <stdio.h>

/* True when f is a terminal that may get colour. */
bool term_colour(FILE *f);
/* True when stderr is a terminal: progress lines may be drawn there. */
bool term_progress(void);

/* SGR sequences, for term_colour() streams only. */
#define TERM_GREEN "\033[32m"
#define TERM_RED "\033[1;31m"
#define TERM_YELLOW "\033[33m"
#define TERM_DIM "\033[2m"
#define TERM_BOLD "\033[1m"
#define TERM_RESET "\033[0m"
/* back to the start of the line and clear it: a progress line's redraw */
#define TERM_CLEAR_LINE "\r\033[K"

#endif
