#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H

// Resolved through pkg-config's -I/usr/include/libxml2.
#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, whose headers clash with the ICU copy that
// swift-corelibs-foundation ships in any module that also imports Foundation.
// flowaudit never touches the ICU-dependent parts of libxml2.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlschemas.h>

#endif
