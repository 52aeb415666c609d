/* zipcheck.h — reading back a zip file just written: every member inflates to its recorded size
 * and CRC-32, and every XML member ends with its root element's closing tag.
 *
 * libxlsxwriter 1.1.4 writes each part of a workbook to a temporary file without checking those
 * writes, then zips what it reads back: a part cut short by a full disk or a file size limit
 * (ulimit -f) goes into a workbook that closes without an error. Reading the file back is the one
 * check that does not depend on the library's internals. Only what libxlsxwriter writes is read:
 * no ZIP64, deflate or stored members.
 */
#ifndef SAMETABLE_ZIPCHECK_H
#define SAMETABLE_ZIPCHECK_H

#include <stdint.h>

struct zipcheck_result {
    char part[128];   /* the first member found wrong, "" when the file itself is */
    char why[128];    /* what is wrong */
    uint64_t largest; /* the largest member's uncompressed size, bytes (of those read) */
};

/* 0 when every member is whole; -1 with r->part and r->why filled (and errno, when reading the
 * file failed). */
int zipcheck_xml(const char *path, struct zipcheck_result *r);

#endif
