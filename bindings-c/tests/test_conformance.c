/*
 * Runs every shared vector in tests/conformance/ through the C API, one to
 * one with the core's runner (core/tests/conformance.rs): load (or the load
 * error), then each step (apply with its summary or error, queries). A step
 * kind this runner does not know fails the run, so nothing is skipped
 * silently. Run from the repository root (scripts/test-c does).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>

#include "check.h"
#include "json.h"

#define VECTOR_DIR "tests/conformance"

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *status_name(ch_chapter_status s) {
    switch (s) {
    case CH_CHAPTER_APPLIED: return "applied";
    case CH_CHAPTER_ACTIVE: return "active";
    case CH_CHAPTER_REJECTED: return "rejected";
    case CH_CHAPTER_ARCHIVED: return "archived";
    }
    return "?";
}

static void fail_step(const char *name, size_t i, const char *what) {
    failed++;
    fprintf(stderr, "%s: step %zu: %s\n", name, i, what);
}

static char *snapshot_of(ch_network *net) {
    char *json = NULL;
    if (ch_network_to_json(net, &json, NULL, NULL) != CH_STATUS_OK) return NULL;
    return json;
}

static void run_apply(ch_network *net, const jval *step, const char *name, size_t i) {
    const jval *op = jget(step, "apply");
    const jval *actor = jget(step, "actor");
    const char *now = jstr(step, "now");
    const jval *expect = jget(step, "expect");
    const char *person = NULL; /* "host" */
    if (actor != NULL && actor->type == J_OBJ) person = jstr(actor, "person");
    if (now == NULL || expect == NULL || actor == NULL ||
        (actor->type == J_STR && strcmp(actor->str, "host") != 0) ||
        (actor->type == J_OBJ && person == NULL)) {
        fail_step(name, i, "malformed apply step");
        return;
    }
    char *before = snapshot_of(net);
    char *change = NULL;
    ch_error *err = NULL;
    ch_status st = ch_network_apply(net, (const char *)op->start, op->len,
                                    (const char *)person, person ? strlen(person) : 0,
                                    S(now), &change, NULL, &err);
    const char *want_error = jstr(expect, "error");
    if (want_error != NULL) {
        if (st == CH_STATUS_OK) {
            fail_step(name, i, "expected an error, the change was applied");
        } else if (strcmp(ch_error_code(err), want_error) != 0) {
            fprintf(stderr, "  want %s, got %s: %s\n", want_error, ch_error_code(err),
                    ch_error_message(err));
            fail_step(name, i, "wrong error code");
        } else {
            char *after = snapshot_of(net);
            if (after == NULL || before == NULL || strcmp(before, after) != 0)
                fail_step(name, i, "a rejected step changed the network");
            else
                passed++;
            ch_string_free(after);
        }
    } else if (st != CH_STATUS_OK) {
        fprintf(stderr, "  unexpected error: %s\n", ch_error_message(err));
        fail_step(name, i, "apply failed");
    } else {
        const char *want = jstr(expect, "summary");
        jval rec;
        if (!jparse(change, strlen(change), &rec)) {
            fail_step(name, i, "the change record is not JSON");
        } else {
            const char *got = jstr(&rec, "summary");
            if (want != NULL && (got == NULL || strcmp(got, want) != 0)) {
                fprintf(stderr, "  want %s\n  got  %s\n", want, got ? got : "(none)");
                fail_step(name, i, "wrong summary");
            } else {
                passed++;
            }
            jfree(&rec);
        }
    }
    ch_error_free(err);
    ch_string_free(change);
    ch_string_free(before);
}

static void run_query(ch_network *net, const jval *step, const char *name, size_t i,
                      ch_id_array *ids) {
    const char *query = jstr(step, "query");
    const jval *expect = jget(step, "expect");
    ch_error *err = NULL;
    if (query == NULL || expect == NULL) {
        fail_step(name, i, "step is neither apply nor query");
        return;
    }
    if (strcmp(query, "subtree") == 0) {
        const char *id = jstr(step, "id");
        if (id == NULL || expect->type != J_ARR) { fail_step(name, i, "malformed subtree"); return; }
        ch_status st = ch_network_subtree(net, S(id), ids, &err);
        int ok = st == CH_STATUS_OK && ch_id_array_len(ids) == expect->n;
        for (size_t k = 0; ok && k < expect->n; k++)
            ok = expect->items[k].type == J_STR &&
                 strcmp(ch_id_array_get(ids, k), expect->items[k].str) == 0;
        if (ok) passed++; else fail_step(name, i, "subtree differs");
    } else if (strcmp(query, "status") == 0) {
        const char *id = jstr(step, "id");
        ch_chapter_status s = CH_CHAPTER_APPLIED;
        ch_status st = id ? ch_network_chapter_status(net, S(id), &s, &err) : CH_STATUS_NULL_ARGUMENT;
        if (st == CH_STATUS_OK && expect->type == J_STR && strcmp(status_name(s), expect->str) == 0)
            passed++;
        else
            fail_step(name, i, "status differs");
    } else if (strcmp(query, "is_ancestor") == 0) {
        const char *a = jstr(step, "ancestor"), *n = jstr(step, "node");
        bool got = false;
        ch_status st = a && n ? ch_network_is_ancestor(net, S(a), S(n), &got, &err)
                              : CH_STATUS_NULL_ARGUMENT;
        if (st == CH_STATUS_OK && expect->type == J_BOOL && got == (expect->boolean != 0))
            passed++;
        else
            fail_step(name, i, "is_ancestor differs");
    } else {
        fprintf(stderr, "  unknown query \"%s\": every runner must know every step kind\n", query);
        fail_step(name, i, "unknown step kind");
    }
    if (err != NULL) fprintf(stderr, "  error: %s\n", ch_error_message(err));
    ch_error_free(err);
}

static void run_case(const char *name, const jval *c, ch_id_array *ids) {
    const jval *snap = jget(c, "snapshot");
    const char *text = jstr(c, "snapshot_text");
    const char *load_error = jstr(c, "load_error");
    const jval *steps = jget(c, "steps");
    if ((snap == NULL) == (text == NULL) || steps == NULL || steps->type != J_ARR) {
        fail_step(name, 0, "a case needs exactly one of snapshot / snapshot_text, and steps");
        return;
    }
    const char *src = snap ? snap->start : text;
    size_t len = snap ? snap->len : strlen(text);
    ch_network *net = NULL;
    ch_error *err = NULL;
    ch_status st = ch_network_from_json((const char *)src, len, &net, &err);
    if (load_error != NULL) {
        if (st == CH_STATUS_OK) {
            fail_step(name, 0, "expected a load error");
        } else if (strcmp(ch_error_code(err), load_error) != 0) {
            fprintf(stderr, "  want %s, got %s: %s\n", load_error, ch_error_code(err),
                    ch_error_message(err));
            fail_step(name, 0, "wrong load error");
        } else {
            passed++;
        }
    } else if (st != CH_STATUS_OK) {
        fprintf(stderr, "  %s\n", ch_error_message(err));
        fail_step(name, 0, "unexpected load error");
    } else {
        passed++;
        for (size_t i = 0; i < steps->n; i++) {
            const jval *step = &steps->items[i];
            if (jget(step, "apply") != NULL)
                run_apply(net, step, name, i);
            else
                run_query(net, step, name, i, ids);
        }
    }
    ch_error_free(err);
    ch_network_free(net);
}

int main(void) {
    DIR *dir = opendir(VECTOR_DIR);
    if (dir == NULL) {
        fprintf(stderr, "cannot open %s (run from the repository root)\n", VECTOR_DIR);
        return 1;
    }
    char *names[256];
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL && count < 256) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) {
            names[count] = malloc(n + 1);
            if (names[count] != NULL) memcpy(names[count++], e->d_name, n + 1);
        }
    }
    closedir(dir);
    qsort(names, count, sizeof names[0], cmp_names);
    CHECK(count >= 8); /* the vectors must be there */

    ch_id_array *ids = ch_id_array_new();
    for (size_t k = 0; k < count; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", VECTOR_DIR, names[k]);
        size_t len = 0;
        char *text = read_file(path, &len);
        jval c;
        if (text == NULL || !jparse(text, len, &c)) {
            fail_step(names[k], 0, "cannot read the vector as JSON");
        } else {
            int before = failed;
            run_case(names[k], &c, ids);
            printf("  %-45s %s\n", names[k], failed == before ? "ok" : "FAILED");
            jfree(&c);
        }
        free(text);
        free(names[k]);
    }
    ch_id_array_free(ids);
    printf("conformance: %zu vector files\n", count);
    return finish("test_conformance");
}
