/*
 * Runs every shared vector in tests/conformance/ through the C API, one to
 * one with the core's runner (core/tests/conformance.rs): load (or the load
 * error), then each step (apply with its summary or error, queries). A step
 * kind this runner does not know fails the run, so nothing is skipped
 * silently. Run from the repository root (scripts/test-c does).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <math.h>

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

/* The number in member `key`, or NAN. */
static double jnum(const jval *obj, const char *key) {
    const jval *v = jget(obj, key);
    return v != NULL && v->type == J_NUM ? v->num : NAN;
}

/* The array holds exactly the strings of `expect` (a J_ARR), in order. */
static int ids_equal(const ch_id_array *ids, const jval *expect) {
    if (expect->type != J_ARR || ch_id_array_len(ids) != expect->n) return 0;
    for (size_t k = 0; k < expect->n; k++) {
        const char *got = ch_id_array_get(ids, k);
        if (expect->items[k].type != J_STR || got == NULL ||
            strcmp(got, expect->items[k].str) != 0)
            return 0;
    }
    return 1;
}

/* `got` (n strings) equals the strings of `expect`, in order. */
static int strings_equal(char *const *got, size_t n, const jval *expect) {
    if (expect->type != J_ARR || expect->n != n) return 0;
    for (size_t k = 0; k < n; k++)
        if (expect->items[k].type != J_STR || strcmp(got[k], expect->items[k].str) != 0)
            return 0;
    return 1;
}

static void print_ids(const char *label, const ch_id_array *ids) {
    fprintf(stderr, "  %s:", label);
    for (size_t k = 0; k < ch_id_array_len(ids); k++)
        fprintf(stderr, " %s (%.1f m)", ch_id_array_get(ids, k), ch_id_array_distance_m(ids, k));
    fprintf(stderr, "\n");
}

/* check: the decision of ch_network_check() and the code and grant of
 * ch_network_explain(), which must agree with each other. */
static int query_check(ch_network *net, const jval *step, const jval *expect, ch_error **err) {
    const char *person = jstr(step, "person"), *cap = jstr(step, "capability"),
               *node = jstr(step, "node"), *now = jstr(step, "now");
    if (person == NULL || cap == NULL || node == NULL || now == NULL) return -1;
    ch_decision decision = CH_DECISION_ALLOW; /* a failed call must reset it */
    char *explanation = NULL;
    ch_status st = ch_network_check(net, S(person), S(cap), S(node), S(now), &decision,
                                    &explanation, err);
    if (st != CH_STATUS_OK) {
        int ok = decision == CH_DECISION_DENY && explanation == NULL;
        if (!ok) fprintf(stderr, "  a failed check did not fail closed\n");
        ch_string_free(explanation);
        return ok ? (int)st : -2;
    }
    char *report = NULL;
    size_t report_len = 0;
    ch_status st2 = ch_network_explain(net, S(person), S(cap), S(node), S(now), &report,
                                       &report_len, NULL);
    const jval *want_allowed = jget(expect, "allowed");
    const char *want_code = jstr(expect, "code"), *want_grant = jstr(expect, "grant");
    jval rec;
    int ok = 0;
    if (st2 != CH_STATUS_OK || report == NULL || !jparse(report, report_len, &rec)) {
        fprintf(stderr, "  check succeeded, explain did not give a JSON report\n");
    } else {
        const jval *allowed = jget(&rec, "allowed");
        const jval *grant = jget(&rec, "grant");
        const char *code = jstr(&rec, "code");
        const char *expl = jstr(&rec, "explanation");
        int got_allowed = decision == CH_DECISION_ALLOW;
        ok = want_allowed != NULL && want_allowed->type == J_BOOL && want_code != NULL &&
             allowed != NULL && allowed->type == J_BOOL &&
             allowed->boolean == got_allowed && /* check and explain agree */
             got_allowed == (want_allowed->boolean != 0) && code != NULL &&
             strcmp(code, want_code) == 0 &&
             (want_grant == NULL
                  ? grant == NULL || grant->type == J_NULL
                  : grant != NULL && grant->type == J_STR && strcmp(grant->str, want_grant) == 0) &&
             explanation != NULL && expl != NULL && strcmp(explanation, expl) == 0;
        if (!ok)
            fprintf(stderr, "  want allowed=%d code=%s grant=%s\n  got  %s\n",
                    want_allowed && want_allowed->boolean, want_code ? want_code : "?",
                    want_grant ? want_grant : "(none)", report);
        jfree(&rec);
    }
    ch_string_free(report);
    ch_string_free(explanation);
    return ok ? 0 : -2;
}

/* nodes_where: every page, two at a time, so each vector exercises the
 * cursor (as the core runner does). */
static int query_nodes_where(ch_network *net, const jval *step, const jval *expect,
                             ch_id_array *ids, ch_error **err) {
    const char *person = jstr(step, "person"), *cap = jstr(step, "capability"),
               *now = jstr(step, "now");
    if (person == NULL || cap == NULL || now == NULL) return -1;
    char **got = NULL;
    size_t n = 0, cap_got = 0;
    char *after = NULL;
    int result = -2;
    for (int page = 0; page < 100000; page++) {
        char *next = NULL;
        ch_status st = ch_network_nodes_where(net, S(person), S(cap), S(now), after,
                                              after ? strlen(after) : 0, 2, ids, &next, err);
        ch_string_free(after);
        after = NULL;
        if (st != CH_STATUS_OK) {
            result = next == NULL ? (int)st : -2;
            ch_string_free(next);
            goto done;
        }
        size_t len = ch_id_array_len(ids);
        if (len > 2 || (next != NULL && len == 0)) {
            fprintf(stderr, "  a page of %zu ids with limit 2\n", len);
            ch_string_free(next);
            goto done;
        }
        for (size_t k = 0; k < len; k++) {
            if (n == cap_got) {
                size_t nc = cap_got ? cap_got * 2 : 8;
                char **more = realloc(got, nc * sizeof *got);
                if (more == NULL) { ch_string_free(next); goto done; }
                got = more;
                cap_got = nc;
            }
            const char *id = ch_id_array_get(ids, k);
            got[n] = malloc(strlen(id) + 1);
            if (got[n] == NULL) { ch_string_free(next); goto done; }
            strcpy(got[n++], id);
        }
        if (next == NULL) {
            result = strings_equal(got, n, expect) ? 0 : -2;
            if (result != 0) {
                fprintf(stderr, "  got:");
                for (size_t k = 0; k < n; k++) fprintf(stderr, " %s", got[k]);
                fprintf(stderr, "\n");
            }
            goto done;
        }
        after = next;
    }
    fprintf(stderr, "  nodes_where did not reach its last page\n");
done:
    ch_string_free(after);
    for (size_t k = 0; k < n; k++) free(got[k]);
    free(got);
    return result;
}

/* who_can: the person ids of the JSON reports, sorted. */
static int query_who_can(ch_network *net, const jval *step, const jval *expect, ch_error **err) {
    const char *cap = jstr(step, "capability"), *node = jstr(step, "node"),
               *now = jstr(step, "now");
    if (cap == NULL || node == NULL || now == NULL) return -1;
    char *json = NULL;
    size_t len = 0;
    ch_status st = ch_network_who_can(net, S(cap), S(node), S(now), &json, &len, err);
    if (st != CH_STATUS_OK) {
        int bad = json != NULL;
        ch_string_free(json);
        return bad ? -2 : (int)st;
    }
    jval arr;
    int result = -2;
    if (json != NULL && jparse(json, len, &arr)) {
        if (arr.type == J_ARR) {
            char **people = calloc(arr.n ? arr.n : 1, sizeof *people);
            int all = people != NULL;
            for (size_t k = 0; all && k < arr.n; k++) {
                const jval *p = jget(&arr.items[k], "person");
                all = p != NULL && p->type == J_STR && jget(&arr.items[k], "allowed") != NULL &&
                      jget(&arr.items[k], "allowed")->boolean;
                if (all) people[k] = p->str;
            }
            if (all) {
                qsort(people, arr.n, sizeof *people, cmp_names);
                result = strings_equal(people, arr.n, expect) ? 0 : -2;
            }
            free(people);
        }
        jfree(&arr);
    }
    if (result != 0) fprintf(stderr, "  got %s\n", json ? json : "(null)");
    ch_string_free(json);
    return result;
}

/* lookup: the ids, most specific first, each at distance 0. */
static int query_lookup(ch_network *net, const jval *step, const jval *expect, ch_id_array *ids,
                        ch_error **err) {
    double lon = jnum(step, "lon"), lat = jnum(step, "lat");
    if (isnan(lon) || isnan(lat)) return -1;
    ch_status st = ch_network_lookup(net, lon, lat, NULL, ids, err);
    if (st != CH_STATUS_OK) return ch_id_array_len(ids) == 0 ? (int)st : -2;
    int ok = ids_equal(ids, expect);
    for (size_t k = 0; ok && k < ch_id_array_len(ids); k++)
        ok = ch_id_array_distance_m(ids, k) == 0.0;
    if (!ok) print_ids("got", ids);
    return ok ? 0 : -2;
}

/* nearest: the ids in order, each distance within a metre of the vector's
 * (geodesic arithmetic may differ in the last bits). */
static int query_nearest(ch_network *net, const jval *step, const jval *expect, ch_id_array *ids,
                         ch_error **err) {
    double lon = jnum(step, "lon"), lat = jnum(step, "lat"), k = jnum(step, "k");
    if (isnan(lon) || isnan(lat) || isnan(k) || k < 0) return -1;
    ch_status st = ch_network_nearest(net, lon, lat, (size_t)k, NULL, ids, err);
    if (st != CH_STATUS_OK) return ch_id_array_len(ids) == 0 ? (int)st : -2;
    int ok = expect->type == J_ARR && ch_id_array_len(ids) == expect->n;
    for (size_t j = 0; ok && j < expect->n; j++) {
        const char *want = jstr(&expect->items[j], "id");
        double want_d = jnum(&expect->items[j], "distance_m");
        const char *got = ch_id_array_get(ids, j);
        double diff = ch_id_array_distance_m(ids, j) - want_d;
        ok = want != NULL && got != NULL && strcmp(want, got) == 0 && diff <= 1.0 &&
             diff >= -1.0; /* false for NaN */
    }
    if (!ok) print_ids("got", ids);
    return ok ? 0 : -2;
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
    /* A query that fails expects {"error": kind} in place of its answer. */
    const char *want_error = expect->type == J_OBJ ? jstr(expect, "error") : NULL;
    /* The new-style queries: 0 = the answer matched, a status > 0 = the call
     * failed with it, -1 = a malformed step, -2 = a wrong answer (printed). */
    int r = -3;
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
    } else if (strcmp(query, "check") == 0) {
        r = query_check(net, step, expect, &err);
    } else if (strcmp(query, "nodes_where") == 0) {
        r = query_nodes_where(net, step, expect, ids, &err);
    } else if (strcmp(query, "who_can") == 0) {
        r = query_who_can(net, step, expect, &err);
    } else if (strcmp(query, "lookup") == 0) {
        r = query_lookup(net, step, expect, ids, &err);
    } else if (strcmp(query, "nearest") == 0) {
        r = query_nearest(net, step, expect, ids, &err);
    } else {
        fprintf(stderr, "  unknown query \"%s\": every runner must know every step kind\n", query);
        fail_step(name, i, "unknown step kind");
    }
    if (r != -3) {
        if (r == -1) {
            fail_step(name, i, "malformed query step");
        } else if (r == -2) {
            fail_step(name, i, want_error ? "expected an error, got an answer" : "answer differs");
        } else if (r == 0) {
            if (want_error != NULL) fail_step(name, i, "expected an error, got the answer");
            else passed++;
        } else if (want_error == NULL) {
            fail_step(name, i, "query failed");
        } else if (err == NULL || ch_error_kind(err) != (ch_status)r ||
                   strcmp(ch_error_code(err), want_error) != 0) {
            fprintf(stderr, "  want %s, got %s\n", want_error, err ? ch_error_code(err) : "(no error)");
            fail_step(name, i, "wrong error code");
        } else {
            passed++;
            ch_error_free(err);
            return;
        }
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
