/* zipcheck.c — a written zip file read back member by member (zlib). */
#include "zipcheck.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util.h"

#define EOCD_SIG    0x06054b50u
#define CENTRAL_SIG 0x02014b50u
#define LOCAL_SIG   0x04034b50u
#define EOCD_SIZE   22
#define EOCD_MAX    (EOCD_SIZE + 65535) /* with the longest comment */
#define HEAD_SIZE   512                 /* bytes of a member kept to find its root element */
#define TAIL_SIZE   64                  /* bytes kept to find its closing tag */

static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
    return le16(p) | le16(p + 2) << 16;
}

static int fail(struct zipcheck_result *r, const char *part, const char *why)
{
    snprintf(r->part, sizeof r->part, "%s", part);
    snprintf(r->why, sizeof r->why, "%s", why);
    return -1;
}

/* What one member's bytes look like as they stream past. */
struct member {
    uLong crc;
    uint64_t size;
    unsigned char head[HEAD_SIZE], tail[TAIL_SIZE];
    size_t n_head, n_tail;
};

static void member_add(struct member *m, const unsigned char *p, size_t n)
{
    m->crc = crc32(m->crc, p, (uInt)n);
    m->size += n;
    size_t h = HEAD_SIZE - m->n_head < n ? HEAD_SIZE - m->n_head : n;
    memcpy(m->head + m->n_head, p, h);
    m->n_head += h;
    if (n >= TAIL_SIZE) {
        memcpy(m->tail, p + n - TAIL_SIZE, TAIL_SIZE);
        m->n_tail = TAIL_SIZE;
    } else {
        size_t keep = m->n_tail + n > TAIL_SIZE ? TAIL_SIZE - n : m->n_tail;
        memmove(m->tail, m->tail + m->n_tail - keep, keep);
        memcpy(m->tail + keep, p, n);
        m->n_tail = keep + n;
    }
}

/* An XML member ends with the closing tag of its root element (or is one self-closed element). */
static bool xml_whole(const struct member *m)
{
    const unsigned char *h = m->head, *he = m->head + m->n_head;
    while (h < he && (h = memchr(h, '<', (size_t)(he - h))) != NULL && h + 1 < he &&
           (h[1] == '?' || h[1] == '!'))
        h++;
    if (!h || h + 1 >= he)
        return false;
    const unsigned char *name = ++h;
    while (h < he && !strchr(" \t\r\n/>", *h))
        h++;
    size_t n_name = (size_t)(h - name);
    if (n_name == 0 || h >= he)
        return false;
    size_t t = m->n_tail;
    while (t > 0 && strchr(" \t\r\n", m->tail[t - 1]))
        t--;
    if (t >= n_name + 3 && m->tail[t - 1] == '>' && m->tail[t - n_name - 3] == '<' &&
        m->tail[t - n_name - 2] == '/' && memcmp(m->tail + t - n_name - 1, name, n_name) == 0)
        return true;
    /* A root that closes itself: the whole member is its start tag, ending "/>". */
    if (m->size > HEAD_SIZE)
        return false;
    size_t end = m->n_head;
    while (end > 0 && strchr(" \t\r\n", m->head[end - 1]))
        end--;
    const unsigned char *gt = memchr(h, '>', (size_t)(he - h));
    return gt && gt[-1] == '/' && (size_t)(gt + 1 - m->head) == end;
}

/* Inflate (or copy) `csize` bytes at the file's position into m. 0, or -1 with why. */
static int member_read(FILE *fp, unsigned method, uint64_t csize, struct member *m,
                       const char **why)
{
    static _Thread_local unsigned char in[65536], out[65536]; /* per writer thread */
    z_stream z;
    memset(&z, 0, sizeof z);
    if (method == 8 && inflateInit2(&z, -MAX_WBITS) != Z_OK) {
        *why = "cannot start zlib";
        return -1;
    }
    int rc = 0, zr = Z_OK;
    while (csize > 0 && rc == 0) {
        size_t want = csize < sizeof in ? (size_t)csize : sizeof in;
        if (fread(in, 1, want, fp) != want) {
            *why = ferror(fp) ? "cannot be read" : "is cut short";
            rc = -1;
            break;
        }
        csize -= want;
        if (method == 0) {
            member_add(m, in, want);
            continue;
        }
        z.next_in = in;
        z.avail_in = (uInt)want;
        while (z.avail_in > 0 && zr != Z_STREAM_END) {
            z.next_out = out;
            z.avail_out = sizeof out;
            zr = inflate(&z, Z_NO_FLUSH);
            if (zr != Z_OK && zr != Z_STREAM_END) {
                *why = "does not inflate";
                rc = -1;
                break;
            }
            member_add(m, out, sizeof out - z.avail_out);
        }
    }
    if (method == 8) {
        if (rc == 0 && zr != Z_STREAM_END) {
            *why = "ends before its deflate stream";
            rc = -1;
        }
        inflateEnd(&z);
    }
    return rc;
}

int zipcheck_xml(const char *path, struct zipcheck_result *r)
{
    memset(r, 0, sizeof *r);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return fail(r, "", strerror(errno));
    int rc = -1;
    unsigned char *cd = NULL, *tail = NULL;
    long size = fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : -1;
    if (size < EOCD_SIZE) {
        fail(r, "", "too short for a zip file");
        goto out;
    }
    /* The end of central directory record, searched from the end (a comment may follow it). */
    size_t n_tail = size < EOCD_MAX ? (size_t)size : EOCD_MAX;
    tail = xmalloc(n_tail);
    if (fseek(fp, size - (long)n_tail, SEEK_SET) != 0 || fread(tail, 1, n_tail, fp) != n_tail) {
        fail(r, "", "cannot be read");
        goto out;
    }
    const unsigned char *eocd = NULL;
    for (size_t i = n_tail - EOCD_SIZE + 1; i-- > 0 && !eocd;)
        if (le32(tail + i) == EOCD_SIG)
            eocd = tail + i;
    if (!eocd) {
        fail(r, "", "has no end of central directory");
        goto out;
    }
    uint32_t n_entries = le16(eocd + 10), cd_size = le32(eocd + 12), cd_off = le32(eocd + 16);
    if ((uint64_t)cd_off + cd_size > (uint64_t)size) {
        fail(r, "", "has its central directory out of the file");
        goto out;
    }
    cd = xmalloc(cd_size ? cd_size : 1);
    if (fseek(fp, (long)cd_off, SEEK_SET) != 0 || fread(cd, 1, cd_size, fp) != cd_size) {
        fail(r, "", "cannot be read");
        goto out;
    }
    size_t at = 0;
    for (uint32_t k = 0; k < n_entries; k++) {
        if (at + 46 > cd_size || le32(cd + at) != CENTRAL_SIG) {
            fail(r, "", "has a damaged central directory");
            goto out;
        }
        const unsigned char *e = cd + at;
        unsigned method = le16(e + 10);
        uint32_t crc = le32(e + 16), csize = le32(e + 20), usize = le32(e + 24);
        uint32_t n_name = le16(e + 28), n_extra = le16(e + 30), n_comment = le16(e + 32);
        uint32_t local = le32(e + 42);
        if (at + 46 + n_name > cd_size) {
            fail(r, "", "has a damaged central directory");
            goto out;
        }
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)n_name, (const char *)e + 46);
        at += 46 + (size_t)n_name + n_extra + n_comment;
        unsigned char lh[30];
        if (method != 0 && method != 8) {
            fail(r, name, "uses an unknown compression method");
            goto out;
        }
        if (fseek(fp, (long)local, SEEK_SET) != 0 || fread(lh, 1, 30, fp) != 30 ||
            le32(lh) != LOCAL_SIG ||
            fseek(fp, (long)(local + 30 + le16(lh + 26) + le16(lh + 28)), SEEK_SET) != 0) {
            fail(r, name, "has a damaged local header");
            goto out;
        }
        struct member m;
        memset(&m, 0, sizeof m);
        m.crc = crc32(0, Z_NULL, 0);
        const char *why = NULL;
        if (member_read(fp, method, csize, &m, &why) != 0) {
            fail(r, name, why);
            goto out;
        }
        if (m.size > r->largest)
            r->largest = m.size;
        if (m.size != usize || m.crc != crc) {
            fail(r, name, "does not match its recorded size and CRC");
            goto out;
        }
        size_t nl = strlen(name);
        bool xml = (nl > 4 && strcmp(name + nl - 4, ".xml") == 0) ||
                   (nl > 5 && strcmp(name + nl - 5, ".rels") == 0) ||
                   (nl > 4 && strcmp(name + nl - 4, ".vml") == 0);
        if (xml && !xml_whole(&m)) {
            fail(r, name, "was cut short");
            goto out;
        }
    }
    rc = 0;
out:
    free(cd);
    free(tail);
    fclose(fp);
    return rc;
}
