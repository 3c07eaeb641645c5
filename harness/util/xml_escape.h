/* Text for XML 1.0 (the JUnit reports): markup escaped, control characters
 * other than tab and newline (not allowed in XML 1.0) written as '?'. UTF-8
 * passes through. s may be NULL. */
#ifndef DIALSIM_XML_ESCAPE_H
#define DIALSIM_XML_ESCAPE_H

#include <stdio.h>

void xml_escape(FILE *f, const char *s);

#endif
