/* replay.c — runs one libFuzzer target (tests/fuzz/fuzz_<target>.c) over files, without
 * libFuzzer: `make fuzz-replay` links it with each target and feeds it every file of
 * tests/fuzz/corpus/<target>/ (the seeds and the reproducers of bugs the fuzzers found,
 * regress-*), after the empty input, which libFuzzer always tries first.
 *
 * Usage: replay_<target> FILE...   Exit 0 when every input ran; a target's invariant failure
 * aborts (SIGABRT), and the file it was given is named on stderr first. A file that cannot be
 * read is an error (exit 2), so a missing corpus never passes as an empty one.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target (fuzz_csvin has one); a weak reference is null when it is absent. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static const char *volatile g_current = "(the empty input)";

static void on_abort(int sig)
{
    static const char head[] = "fuzz-replay: the target aborted on ";
    const char *f = g_current;
    ssize_t ignored = write(2, head, sizeof head - 1);
    ignored = write(2, f, strlen(f));
    ignored = write(2, "\n", 1);
    (void)ignored;
    signal(sig, SIG_DFL);
    raise(sig);
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *more = realloc(buf, cap * 2);
            if (!more) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = more;
            cap *= 2;
        }
    }
    int bad = !buf || ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return -1;
    }
    *data = buf;
    *size = n;
    return 0;
}

int main(int argc, char **argv)
{
    signal(SIGABRT, on_abort);
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    static const uint8_t empty[1];
    LLVMFuzzerTestOneInput(empty, 0);
    for (int i = 1; i < argc; i++) {
        uint8_t *data;
        size_t size;
        if (read_file(argv[i], &data, &size)) {
            fprintf(stderr, "fuzz-replay: cannot read %s\n", argv[i]);
            return 2;
        }
        g_current = argv[i];
        LLVMFuzzerTestOneInput(data, size);
        free(data);
    }
    return 0;
}
