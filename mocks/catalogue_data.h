/* The compiled-in catalogue texts (catalogue_data.c): [x, x_end) is the
 * JSON of mocks/data/<provider>.json. */
#ifndef DIALSIM_CATALOGUE_DATA_H
#define DIALSIM_CATALOGUE_DATA_H

#define CAT_DATA(sym) extern const char sym[], sym##_end[]
CAT_DATA(dialsim_catalogue_vapi);
CAT_DATA(dialsim_catalogue_retell);
CAT_DATA(dialsim_catalogue_elevenlabs);
#undef CAT_DATA

#endif
