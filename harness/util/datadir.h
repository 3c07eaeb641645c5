/* Where an installed dialsim keeps its data: PREFIX/share/dialsim (the
 * scenario catalogue, the schemas), found from the binary's own place
 * (PREFIX/bin/dialsim), so that `cmake --install --prefix`, the .deb and a copy
 * of the tree anywhere all work without a path compiled in. */
#ifndef DIALSIM_DATADIR_H
#define DIALSIM_DATADIR_H

#include <stddef.h>

/* PREFIX/share/dialsim/name into buf when it exists, and buf; else NULL. */
const char *datadir_find(const char *name, char *buf, size_t n);

#endif
