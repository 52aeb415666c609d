/* libcsv_baseline.c — the bench's yardstick: bare libcsv over a file, counting fields and rows.
 * Same chunk size and options as the tool's reader (strict, spaces kept), nothing else. */
#include <csv.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static size_t n_fields, n_rows;

static void on_field(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    (void)data;
    n_fields++;
}

static void on_row(int c, void *data)
{
    (void)c;
    (void)data;
    n_rows++;
}

static int keep_spaces(unsigned char c)
{
    (void)c;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: libcsv_baseline FILE\n");
        return 64;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 66;
    }
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    csv_set_space_func(&p, keep_spaces);
    size_t cap = (size_t)1 << 20;
    char *buf = malloc(cap);
    ssize_t n;
    while ((n = read(fd, buf, cap)) > 0) {
        if (csv_parse(&p, buf, (size_t)n, on_field, on_row, NULL) != (size_t)n) {
            fprintf(stderr, "parse error: %s\n", csv_strerror(csv_error(&p)));
            return 65;
        }
    }
    csv_fini(&p, on_field, on_row, NULL);
    csv_free(&p);
    free(buf);
    close(fd);
    printf("%zu rows %zu fields\n", n_rows, n_fields);
    return 0;
}
