/*
 * Shared helpers of the C tests: a CHECK macro that counts and reports, and
 * file reading. Header-only; each test program includes it once.
 */
#ifndef CH_TEST_CHECK_H
#define CH_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chapterhouse.h"

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (cond) {                                                            \
            passed++;                                                          \
        } else {                                                               \
            failed++;                                                          \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

/* Checks that a call failed with `want` and an error whose kind is `want`
 * and whose message contains `needle`; frees the error. */
#define EXPECT_ERROR(call, err, want, needle)                                  \
    do {                                                                       \
        ch_status st_ = (call); /* before `err` is read */                     \
        expect_error_at(__FILE__, __LINE__, st_, (err), (want), (needle));     \
        (err) = NULL;                                                          \
    } while (0)

static inline void expect_error_at(const char *file, int line, ch_status st,
                            ch_error *err, ch_status want, const char *needle) {
    const char *msg = err != NULL ? ch_error_message(err) : NULL;
    int ok = st == want && err != NULL && ch_error_kind(err) == want &&
             msg != NULL && strstr(msg, needle) != NULL;
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "%s:%d: expected status %d with \"%s\", got %d: %s\n",
                file, line, (int)want, needle, (int)st, msg ? msg : "(no error)");
    }
    ch_error_free(err);
}

/* Checks that a call succeeded; prints the error otherwise and frees it. */
#define EXPECT_OK(call, err)                                                   \
    do {                                                                       \
        ch_status st_ = (call); /* before `err` is read */                     \
        expect_ok_at(__FILE__, __LINE__, st_, (err));                          \
        (err) = NULL;                                                          \
    } while (0)

static inline void expect_ok_at(const char *file, int line, ch_status st, ch_error *err) {
    if (st == CH_STATUS_OK && err == NULL) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "%s:%d: expected ok, got %d: %s\n", file, line, (int)st,
                err ? ch_error_message(err) : "(no error)");
    }
    ch_error_free(err);
}

/* A string argument: pointer and length. */
#define S(s) (const char *)(s), strlen(s)

/* Reads a whole file (NUL-terminated copy); NULL on failure. */
static inline char *read_file(const char *path, size_t *out_len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
        if (cap - n - 1 == 0) {
            char *more = realloc(buf, cap * 2);
            if (more == NULL) { free(buf); buf = NULL; break; }
            buf = more;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL) return NULL;
    buf[n] = '\0';
    if (out_len != NULL) *out_len = n;
    return buf;
}

static inline int finish(const char *name) {
    printf("%s: %d passed, %d failed\n", name, passed, failed);
    return failed == 0 ? 0 : 1;
}

#endif /* CH_TEST_CHECK_H */
