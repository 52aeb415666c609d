/* sha256.h — SHA-256 fingerprints of files and buffers (libcrypto), as 64 lowercase hex digits. */
#ifndef SAMETABLE_SHA256_H
#define SAMETABLE_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* hex[65] receives the digest of data[0..n). */
void sha256_hex(const void *data, size_t n, char hex[65]);
/* The digest and size of the file at path, read in blocks. Returns 0, or an errno value. */
int sha256_file(const char *path, char hex[65], int64_t *size);

#endif
