/*
 * C tests of the chapterhouse ABI: compiled against the committed header with
 * -std=c11 -Wall -Wextra -Werror and run under AddressSanitizer (leaks
 * included) and UndefinedBehaviorSanitizer by scripts/test-c.
 */
#include <stdio.h>
#include <string.h>

#include "chapterhouse.h"

#ifndef EXPECTED_VERSION
#error "compile with -DEXPECTED_VERSION='\"x.y.z\"' (the workspace version)"
#endif

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

static const char SNAPSHOT[] =
    "{\"format\":\"chapterhouse/1\",\"organization\":{\"id\":\"org\",\"name\":"
    "\"Org\",\"slug\":\"org\",\"created\":\"2026-01-01T00:00:00Z\","
    "\"updated\":\"2026-01-01T00:00:00Z\"},\"nodes\":[]}";

static ch_network *load(const char *json, size_t len) {
    ch_network *net = NULL;
    ch_error *err = NULL;
    ch_status st = ch_network_from_json((const char *)json, len, &net, &err);
    CHECK(st == CH_STATUS_OK);
    CHECK(err == NULL);
    CHECK(net != NULL);
    return net;
}

/* Loads `json`, expects `want`, and checks the error's kind, code and that
 * its message contains `needle`. */
static void expect_load_error(const char *json, size_t len, ch_status want,
                              const char *code, const char *needle) {
    ch_network *net = (ch_network *)&net; /* not NULL: the call must clear it */
    ch_error *err = NULL;
    ch_status st = ch_network_from_json((const char *)json, len, &net, &err);
    CHECK(st == want);
    CHECK(net == NULL);
    CHECK(err != NULL);
    CHECK(ch_error_kind(err) == want);
    CHECK(strcmp(ch_error_code(err), code) == 0);
    const char *msg = ch_error_message(err);
    CHECK(msg != NULL && strstr(msg, needle) != NULL);
    if (msg != NULL && strstr(msg, needle) == NULL) {
        fprintf(stderr, "  message was: %s\n", msg);
    }
    ch_error_free(err);
}

static void test_version(void) {
    const char *v = ch_version();
    CHECK(v != NULL);
    CHECK(strcmp(v, EXPECTED_VERSION) == 0);
}

static void test_round_trip(void) {
    ch_network *net = load(SNAPSHOT, strlen(SNAPSHOT));
    size_t n = 0;
    CHECK(ch_network_len(net, &n, NULL) == CH_STATUS_OK);
    CHECK(n == 1);

    char *json = NULL;
    size_t len = 0;
    ch_error *err = NULL;
    CHECK(ch_network_to_json(net, &json, &len, &err) == CH_STATUS_OK);
    CHECK(err == NULL);
    CHECK(json != NULL && strlen(json) == len);
    CHECK(strstr(json, "\"chapterhouse/1\"") != NULL);

    /* Saving is canonical: load(save(x)) saves to the same bytes. */
    ch_network *again = load(json, len);
    char *json2 = NULL;
    CHECK(ch_network_to_json(again, &json2, NULL, NULL) == CH_STATUS_OK);
    CHECK(json2 != NULL && strcmp(json, json2) == 0);

    ch_string_free(json2);
    ch_string_free(json);
    ch_network_free(again);
    ch_network_free(net);
}

static void test_errors(void) {
    expect_load_error("{\"format\":", 10, CH_STATUS_PARSE, "parse", "line 1");
    const char *future = "{\"format\":\"chapterhouse/9\"}";
    expect_load_error(future, strlen(future), CH_STATUS_UNSUPPORTED_VERSION,
                      "unsupported_version", "chapterhouse/9");
    const char bad_utf8[] = "{\"format\":\"\xff\"}";
    expect_load_error(bad_utf8, sizeof bad_utf8 - 1, CH_STATUS_INVALID_UTF8,
                      "invalid_utf8", "json");
    expect_load_error(NULL, 0, CH_STATUS_NULL_ARGUMENT, "null_argument", "json");
    /* A length shorter than the text: only that prefix is read. */
    expect_load_error(SNAPSHOT, 20, CH_STATUS_PARSE, "parse", "column");
}

static void test_nulls(void) {
    ch_error *err = NULL;
    CHECK(ch_network_from_json((const char *)SNAPSHOT, strlen(SNAPSHOT),
                               NULL, &err) == CH_STATUS_NULL_ARGUMENT);
    CHECK(err != NULL && strstr(ch_error_message(err), "out_network") != NULL);
    ch_error_free(err);

    char *json = (char *)&json;
    CHECK(ch_network_to_json(NULL, &json, NULL, NULL) == CH_STATUS_NULL_ARGUMENT);
    CHECK(json == NULL);
    ch_network *net = load(SNAPSHOT, strlen(SNAPSHOT));
    CHECK(ch_network_to_json(net, NULL, NULL, NULL) == CH_STATUS_NULL_ARGUMENT);
    size_t n = 42;
    CHECK(ch_network_len(NULL, &n, NULL) == CH_STATUS_NULL_ARGUMENT);
    CHECK(ch_network_len(net, NULL, NULL) == CH_STATUS_NULL_ARGUMENT);
    ch_network_free(net);

    CHECK(ch_error_message(NULL) == NULL);
    CHECK(ch_error_code(NULL) == NULL);
    CHECK(ch_error_kind(NULL) == CH_STATUS_NULL_ARGUMENT);
    ch_error_free(NULL);
    ch_string_free(NULL);
    ch_network_free(NULL);
}

int main(void) {
    test_version();
    test_round_trip();
    test_errors();
    test_nulls();
    printf("c: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
