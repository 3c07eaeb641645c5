/* The providers' catalogues (mocks/data/<provider>.json, made by
 * scripts/openapi_catalogue.py) compiled into the binary with the
 * assembler's .incbin: an installed or copied binary needs no data file to
 * find, and the text is read-only memory shared by every process
 * (docs/decisions.md, "The route catalogue is compiled in"). Each text ends
 * with a NUL of its own; CMake rebuilds this file when a JSON file changes
 * (OBJECT_DEPENDS). */
#include "catalogue_data.h"

#ifndef DIALSIM_CATALOGUE_DIR
#error "DIALSIM_CATALOGUE_DIR must name mocks/data (CMakeLists.txt)"
#endif

#define CAT_INCBIN(sym, file)                                                                     \
    __asm__(".section .rodata\n"                                                                  \
            ".global " #sym "\n"                                                                  \
            ".type " #sym ", @object\n"                                                           \
            ".balign 16\n" #sym ":\n"                                                             \
            ".incbin \"" DIALSIM_CATALOGUE_DIR "/" file "\"\n"                                    \
            ".global " #sym "_end\n" #sym "_end:\n"                                               \
            ".byte 0\n"                                                                           \
            ".previous\n")

CAT_INCBIN(dialsim_catalogue_vapi, "vapi.json");
CAT_INCBIN(dialsim_catalogue_retell, "retell.json");
CAT_INCBIN(dialsim_catalogue_elevenlabs, "elevenlabs.json");
