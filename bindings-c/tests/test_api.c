/*
 * Every function of the C API on the sample network (examples/data/), with
 * its error paths: NULL arguments, invalid UTF-8, malformed JSON, unknown
 * ids, bad times and points. Runs under ASan/LSan/UBSan (scripts/test-c),
 * from the repository root.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <pthread.h>

#include "check.h"
#include "json.h"

#define NOW "2026-11-01T00:00:00Z"
static const char BAD_UTF8[] = "ch-\xff";

static ch_network *load_sample(void) {
    size_t len = 0;
    char *text = read_file("examples/data/network.json", &len);
    CHECK(text != NULL);
    if (text == NULL) return NULL;
    ch_network *net = NULL;
    ch_error *err = NULL;
    EXPECT_OK(ch_network_from_json((const char *)text, len, &net, &err), err);
    free(text);
    return net;
}

static const char SMALL[] =
    "{\"format\":\"chapterhouse/1\",\"organization\":{\"id\":\"org\",\"name\":\"Org\","
    "\"slug\":\"org\",\"created\":\"2026-01-01T00:00:00Z\",\"updated\":\"2026-01-01T00:00:00Z\"},"
    "\"nodes\":[{\"id\":\"ne\",\"kind\":\"region\",\"parent\":\"org\",\"name\":\"Northeast\","
    "\"slug\":\"ne\",\"created\":\"2026-01-01T00:00:00Z\",\"updated\":\"2026-01-01T00:00:00Z\"}]}";

static ch_network *load_small(void) {
    ch_network *net = NULL;
    ch_error *err = NULL;
    EXPECT_OK(ch_network_from_json(S(SMALL), &net, &err), err);
    return net;
}

/* The network's snapshot, to prove a failed call changed nothing. */
static char *saved(const ch_network *net) {
    char *json = NULL;
    CHECK(ch_network_to_json(net, &json, NULL, NULL) == CH_STATUS_OK);
    return json;
}

/* ------------------------------------------------------------ id arrays */

static void test_id_array(void) {
    ch_id_array *ids = ch_id_array_new();
    CHECK(ids != NULL);
    CHECK(ch_id_array_len(ids) == 0);
    CHECK(ch_id_array_get(ids, 0) == NULL);
    CHECK(isnan(ch_id_array_distance_m(ids, 0)));
    CHECK(ch_id_array_len(NULL) == 0);
    CHECK(ch_id_array_get(NULL, 0) == NULL);
    CHECK(isnan(ch_id_array_distance_m(NULL, 0)));
    ch_id_array_free(ids);
    ch_id_array_free(NULL);
}

/* ------------------------------------------------------------ network */

static void test_apply(void) {
    ch_network *net = load_small();
    char *change = NULL;
    size_t len = 0;
    ch_error *err = NULL;
    const char *op =
        "{\"op\":\"apply_chapter\",\"id\":\"ch-1\",\"parent\":\"ne\",\"name\":\"Boston Water\","
        "\"slug\":\"boston\",\"group_kind\":\"local\"}";
    EXPECT_OK(ch_network_apply(net, S(op), NULL, 0, S("2026-02-01T00:00:00Z"), &change, &len, &err), err);
    CHECK(change != NULL && strlen(change) == len);
    jval rec;
    CHECK(change != NULL && jparse(change, len, &rec));
    CHECK(strcmp(jstr(&rec, "summary"), "local group ch-1 (Boston Water) applied under ne") == 0);
    CHECK(strcmp(jstr(&rec, "actor"), "host") == 0);
    CHECK(jget(&rec, "revision") != NULL && jget(&rec, "revision")->num == 1);
    jfree(&rec);
    ch_string_free(change);

    ch_chapter_status status = CH_CHAPTER_ARCHIVED;
    EXPECT_OK(ch_network_chapter_status(net, S("ch-1"), &status, &err), err);
    CHECK(status == CH_CHAPTER_APPLIED);

    /* Out-parameter for the length is optional. */
    EXPECT_OK(ch_network_apply(net, S("{\"op\":\"approve\",\"id\":\"ch-1\"}"), NULL, 0, S(NOW),
                               &change, NULL, &err), err);
    CHECK(change != NULL && strstr(change, "applied \xe2\x86\x92 active") != NULL);
    ch_string_free(change);
    EXPECT_OK(ch_network_chapter_status(net, S("ch-1"), &status, &err), err);
    CHECK(status == CH_CHAPTER_ACTIVE);

    /* Every failure leaves the network as it was and the change NULL. */
    char *before = saved(net);
    struct { const char *op; const char *person; const char *now; ch_status want; const char *needle; } bad[] = {
        {"{\"op\":\"approve\",\"id\":\"ch-1\"}", NULL, NOW, CH_STATUS_INVALID_TRANSITION, "cannot approve while active"},
        {"{\"op\":\"approve\",\"id\":\"ch-404\"}", NULL, NOW, CH_STATUS_NOT_FOUND, "ch-404"},
        {"{\"op\":\"approve\"", NULL, NOW, CH_STATUS_PARSE, "op_json"},
        {"{\"op\":\"launch\",\"id\":\"ch-1\"}", NULL, NOW, CH_STATUS_PARSE, "launch"},
        {"[]", NULL, NOW, CH_STATUS_PARSE, "op_json"},
        {"{\"op\":\"move\",\"id\":\"ne\",\"parent\":\"ch-1\"}", NULL, NOW, CH_STATUS_INVALID_STRUCTURE, "ch-1"},
        {"{\"op\":\"archive\",\"id\":\"ch-1\",\"reason\":\"x\"}", "nobody", NOW, CH_STATUS_PERMISSION_DENIED, "nobody"},
        {"{\"op\":\"archive\",\"id\":\"ch-1\",\"reason\":\"x\"}", "two words", NOW, CH_STATUS_INVALID_VALUE, "person id"},
        {"{\"op\":\"archive\",\"id\":\"ch-1\",\"reason\":\"x\"}", NULL, "yesterday", CH_STATUS_INVALID_VALUE, "now"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        change = (char *)&change; /* not NULL: the call must clear it */
        ch_status st = ch_network_apply(net, S(bad[i].op), (const char *)bad[i].person,
                                        bad[i].person ? strlen(bad[i].person) : 0, S(bad[i].now),
                                        &change, &len, &err);
        CHECK(change == NULL);
        CHECK(len == 0);
        EXPECT_ERROR(st, err, bad[i].want, bad[i].needle);
    }
    EXPECT_ERROR(ch_network_apply(net, S(BAD_UTF8), NULL, 0, S(NOW), &change, NULL, &err), err,
                 CH_STATUS_INVALID_UTF8, "op_json");
    const char *archive = "{\"op\":\"archive\",\"id\":\"ch-1\",\"reason\":\"x\"}";
    EXPECT_ERROR(ch_network_apply(net, S(archive), S(BAD_UTF8), S(NOW), &change, NULL, &err), err,
                 CH_STATUS_INVALID_UTF8, "person");
    EXPECT_ERROR(ch_network_apply(net, S(archive), NULL, 0, S(BAD_UTF8), &change, NULL, &err), err,
                 CH_STATUS_INVALID_UTF8, "now");
    EXPECT_ERROR(ch_network_apply(NULL, S("{}"), NULL, 0, S(NOW), &change, NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "network");
    EXPECT_ERROR(ch_network_apply(net, NULL, 0, NULL, 0, S(NOW), &change, NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "op_json");
    EXPECT_ERROR(ch_network_apply(net, S(archive), NULL, 0, NULL, 0, &change, NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "now");
    EXPECT_ERROR(ch_network_apply(net, S("{\"op\":\"approve\",\"id\":\"ch-1\"}"), NULL, 0, S(NOW),
                                  NULL, NULL, &err), err, CH_STATUS_NULL_ARGUMENT, "out_change");
    /* out_error is optional on failure too. */
    CHECK(ch_network_apply(net, S("{"), NULL, 0, S(NOW), &change, NULL, NULL) == CH_STATUS_PARSE);
    char *after = saved(net);
    CHECK(before && after && strcmp(before, after) == 0);
    ch_string_free(before);
    ch_string_free(after);
    ch_network_free(net);
}

static void test_queries(void) {
    ch_network *net = load_sample();
    ch_error *err = NULL;
    char *json = NULL;
    size_t len = 0;

    EXPECT_OK(ch_network_node_json(net, S("ch-boston"), &json, &len, &err), err);
    CHECK(json != NULL && strlen(json) == len);
    jval node;
    CHECK(json != NULL && jparse(json, len, &node));
    CHECK(strcmp(jstr(&node, "kind"), "chapter") == 0);
    CHECK(strcmp(jstr(&node, "name"), "Boston") == 0);
    CHECK(strcmp(jstr(&node, "status"), "active") == 0);
    jfree(&node);
    ch_string_free(json);
    EXPECT_OK(ch_network_node_json(net, S("cwa"), &json, NULL, &err), err);
    CHECK(json != NULL && strstr(json, "\"kind\":\"organization\"") != NULL);
    ch_string_free(json);
    EXPECT_ERROR(ch_network_node_json(net, S("ch-404"), &json, &len, &err), err,
                 CH_STATUS_NOT_FOUND, "ch-404");
    CHECK(json == NULL && len == 0);
    EXPECT_ERROR(ch_network_node_json(net, S(BAD_UTF8), &json, NULL, &err), err,
                 CH_STATUS_INVALID_UTF8, "id");
    EXPECT_ERROR(ch_network_node_json(net, NULL, 0, &json, NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "id");
    EXPECT_ERROR(ch_network_node_json(NULL, S("cwa"), &json, NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "network");
    EXPECT_ERROR(ch_network_node_json(net, S("cwa"), NULL, NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "out_json");

    ch_chapter_status status;
    EXPECT_OK(ch_network_chapter_status(net, S("ch-buffalo"), &status, &err), err);
    CHECK(status == CH_CHAPTER_ARCHIVED);
    EXPECT_ERROR(ch_network_chapter_status(net, S("northeast"), &status, &err), err,
                 CH_STATUS_INVALID_STRUCTURE, "not a chapter");
    EXPECT_ERROR(ch_network_chapter_status(net, S("nope"), &status, &err), err,
                 CH_STATUS_NOT_FOUND, "nope");
    EXPECT_ERROR(ch_network_chapter_status(net, S("ch-buffalo"), NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "out_status");
    EXPECT_ERROR(ch_network_chapter_status(net, S(BAD_UTF8), &status, &err), err,
                 CH_STATUS_INVALID_UTF8, "id");

    ch_id_array *ids = ch_id_array_new();
    EXPECT_OK(ch_network_subtree(net, S("new-england"), ids, &err), err);
    CHECK(ch_id_array_len(ids) == 15);
    CHECK(strcmp(ch_id_array_get(ids, 0), "new-england") == 0);
    CHECK(strcmp(ch_id_array_get(ids, 1), "ch-boston") == 0);
    CHECK(isnan(ch_id_array_distance_m(ids, 1)));
    CHECK(ch_id_array_get(ids, 15) == NULL);
    EXPECT_ERROR(ch_network_subtree(net, S("nope"), ids, &err), err, CH_STATUS_NOT_FOUND, "nope");
    CHECK(ch_id_array_len(ids) == 0); /* emptied on failure */
    EXPECT_ERROR(ch_network_subtree(net, S("cwa"), NULL, &err), err, CH_STATUS_NULL_ARGUMENT, "out_ids");
    EXPECT_ERROR(ch_network_subtree(NULL, S("cwa"), ids, &err), err, CH_STATUS_NULL_ARGUMENT, "network");

    bool yes = false;
    EXPECT_OK(ch_network_is_ancestor(net, S("northeast"), S("ch-boston"), &yes, &err), err);
    CHECK(yes);
    EXPECT_OK(ch_network_is_ancestor(net, S("ch-boston"), S("ch-boston"), &yes, &err), err);
    CHECK(!yes);
    EXPECT_ERROR(ch_network_is_ancestor(net, S("nope"), S("ch-boston"), &yes, &err), err,
                 CH_STATUS_NOT_FOUND, "nope");
    EXPECT_ERROR(ch_network_is_ancestor(net, S("cwa"), S(BAD_UTF8), &yes, &err), err,
                 CH_STATUS_INVALID_UTF8, "node");
    EXPECT_ERROR(ch_network_is_ancestor(net, S("cwa"), S("cwa"), NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "out_result");

    size_t n = 0;
    EXPECT_OK(ch_network_len(net, &n, &err), err);
    CHECK(n == 90);
    ch_id_array_free(ids);
    ch_network_free(net);
}

/* ------------------------------------------------------------ territory */

static void test_territory(void) {
    ch_network *net = load_sample();
    ch_id_array *ids = ch_id_array_new();
    ch_error *err = NULL;

    EXPECT_OK(ch_network_lookup(net, -71.0589, 42.3601, NULL, ids, &err), err);
    CHECK(ch_id_array_len(ids) >= 1);
    CHECK(strcmp(ch_id_array_get(ids, 0), "ch-boston") == 0);
    CHECK(ch_id_array_distance_m(ids, 0) == 0.0);
    /* Most specific first: Cambridge inside Middlesex County. */
    EXPECT_OK(ch_network_lookup(net, -71.1189, 42.3733, NULL, ids, &err), err);
    CHECK(ch_id_array_len(ids) == 2);
    CHECK(strcmp(ch_id_array_get(ids, 0), "ch-cambridge") == 0);
    CHECK(strcmp(ch_id_array_get(ids, 1), "ch-middlesex") == 0);
    /* A point on a shared border belongs to both. */
    EXPECT_OK(ch_network_lookup(net, -71.11318, 42.258786, NULL, ids, &err), err);
    CHECK(ch_id_array_len(ids) == 2);
    /* No group in Chicago. */
    EXPECT_OK(ch_network_lookup(net, -87.6298, 41.8781, NULL, ids, &err), err);
    CHECK(ch_id_array_len(ids) == 0);

    EXPECT_OK(ch_network_nearest(net, -87.6298, 41.8781, 1, NULL, ids, &err), err);
    CHECK(ch_id_array_len(ids) == 1);
    CHECK(strcmp(ch_id_array_get(ids, 0), "ch-louisville") == 0);
    double d = ch_id_array_distance_m(ids, 0);
    CHECK(d > 423000.0 && d < 424500.0);
    EXPECT_OK(ch_network_nearest(net, -87.6298, 41.8781, 5, NULL, ids, &err), err);
    CHECK(ch_id_array_len(ids) == 5);
    CHECK(ch_id_array_distance_m(ids, 4) >= ch_id_array_distance_m(ids, 0));
    EXPECT_OK(ch_network_nearest(net, -87.6298, 41.8781, 0, NULL, ids, &err), err);
    CHECK(ch_id_array_len(ids) == 0);

    /* Filters: unlisted chapters only when asked for. Fairbanks is unlisted. */
    ch_filter *all = NULL;
    const char *spec = "{\"statuses\":[\"active\",\"applied\",\"archived\",\"rejected\"],"
                       "\"visibilities\":[\"public\",\"unlisted\",\"hidden\"]}";
    EXPECT_OK(ch_filter_from_json(S(spec), &all, &err), err);
    CHECK(all != NULL);
    EXPECT_OK(ch_network_nearest(net, -147.7164, 64.8378, 1, NULL, ids, &err), err);
    CHECK(ch_id_array_len(ids) == 1 && strcmp(ch_id_array_get(ids, 0), "ch-fairbanks") != 0);
    EXPECT_OK(ch_network_nearest(net, -147.7164, 64.8378, 1, all, ids, &err), err);
    CHECK(ch_id_array_len(ids) == 1 && strcmp(ch_id_array_get(ids, 0), "ch-fairbanks") == 0);
    ch_filter *tagged = NULL;
    EXPECT_OK(ch_filter_from_json(S("{\"tags\":[\"rivers\"]}"), &tagged, &err), err);
    EXPECT_OK(ch_network_lookup(net, -71.0815, 42.3565, tagged, ids, &err), err);
    CHECK(ch_id_array_len(ids) == 1 && strcmp(ch_id_array_get(ids, 0), "ch-save-the-charles") == 0);
    ch_filter_free(tagged);
    ch_filter_free(all);
    ch_filter_free(NULL);

    ch_filter *f = (ch_filter *)&f;
    EXPECT_ERROR(ch_filter_from_json(S("{\"colour\":[]}"), &f, &err), err, CH_STATUS_PARSE, "colour");
    CHECK(f == NULL);
    EXPECT_ERROR(ch_filter_from_json(S("{\"statuses\":[\"sleeping\"]}"), &f, &err), err,
                 CH_STATUS_PARSE, "statuses[0]");
    EXPECT_ERROR(ch_filter_from_json(S("{"), &f, &err), err, CH_STATUS_PARSE, "line 1");
    EXPECT_ERROR(ch_filter_from_json(S(BAD_UTF8), &f, &err), err, CH_STATUS_INVALID_UTF8, "json");
    EXPECT_ERROR(ch_filter_from_json(NULL, 0, &f, &err), err, CH_STATUS_NULL_ARGUMENT, "json");
    EXPECT_ERROR(ch_filter_from_json(S("{}"), NULL, &err), err, CH_STATUS_NULL_ARGUMENT, "out_filter");

    /* Bad points; the array is emptied. */
    EXPECT_OK(ch_network_lookup(net, -71.0589, 42.3601, NULL, ids, &err), err);
    EXPECT_ERROR(ch_network_lookup(net, 0.0, 91.0, NULL, ids, &err), err, CH_STATUS_INVALID_VALUE, "latitude");
    CHECK(ch_id_array_len(ids) == 0);
    EXPECT_ERROR(ch_network_lookup(net, NAN, 0.0, NULL, ids, &err), err, CH_STATUS_INVALID_VALUE, "invalid point");
    EXPECT_ERROR(ch_network_nearest(net, 0.0, INFINITY, 3, NULL, ids, &err), err, CH_STATUS_INVALID_VALUE, "invalid point");
    EXPECT_ERROR(ch_network_lookup(NULL, 0.0, 0.0, NULL, ids, &err), err, CH_STATUS_NULL_ARGUMENT, "network");
    EXPECT_ERROR(ch_network_lookup(net, 0.0, 0.0, NULL, NULL, &err), err, CH_STATUS_NULL_ARGUMENT, "out_ids");
    EXPECT_ERROR(ch_network_nearest(NULL, 0.0, 0.0, 1, NULL, ids, &err), err, CH_STATUS_NULL_ARGUMENT, "network");
    EXPECT_ERROR(ch_network_nearest(net, 0.0, 0.0, 1, NULL, NULL, &err), err, CH_STATUS_NULL_ARGUMENT, "out_ids");

    ch_id_array_free(ids);
    ch_network_free(net);
}

/* ------------------------------------------------------------ access */

static void test_check(void) {
    ch_network *net = load_sample();
    ch_error *err = NULL;
    ch_decision d = CH_DECISION_ALLOW;
    char *why = NULL;

    EXPECT_OK(ch_network_check(net, S("p-0009"), S("members.export"), S("ch-boston"), S(NOW),
                               &d, &why, &err), err);
    CHECK(d == CH_DECISION_ALLOW);
    const char *want = "allowed: p-0009 may members.export at ch-boston, through grant g-0009 "
                       "(regional_coordinator at northeast)";
    CHECK(why != NULL && strncmp(why, want, strlen(want)) == 0);
    ch_string_free(why);

    EXPECT_OK(ch_network_check(net, S("p-0017"), S("chapter.approve"), S("ch-boston"), S(NOW),
                               &d, &why, &err), err);
    CHECK(d == CH_DECISION_DENY);
    CHECK(why != NULL && strstr(why, "reserved to central") != NULL);
    ch_string_free(why);

    /* Without an explanation; an unknown person is denied, not an error. */
    d = CH_DECISION_ALLOW;
    EXPECT_OK(ch_network_check(net, S("p-9999"), S("chapter.view"), S("ch-boston"), S(NOW),
                               &d, NULL, &err), err);
    CHECK(d == CH_DECISION_DENY);

    struct { const char *p, *c, *n, *t; ch_status want; const char *needle; } bad[] = {
        {"p-0009", "members.teleport", "ch-boston", NOW, CH_STATUS_NOT_FOUND, "members.teleport"},
        {"p-0009", "members.export", "ch-atlantis", NOW, CH_STATUS_NOT_FOUND, "ch-atlantis"},
        {"p-0009", "members.export", "ch-boston", "soon", CH_STATUS_INVALID_VALUE, "now"},
        {"p-0009", "members.export", BAD_UTF8, NOW, CH_STATUS_INVALID_UTF8, "node"},
        {BAD_UTF8, "members.export", "ch-boston", NOW, CH_STATUS_INVALID_UTF8, "person"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = CH_DECISION_ALLOW;
        why = (char *)&why;
        ch_status st = ch_network_check(net, S(bad[i].p), S(bad[i].c), S(bad[i].n), S(bad[i].t),
                                        &d, &why, &err);
        CHECK(d == CH_DECISION_DENY); /* fails closed */
        CHECK(why == NULL);
        EXPECT_ERROR(st, err, bad[i].want, bad[i].needle);
    }
    EXPECT_ERROR(ch_network_check(NULL, S("p"), S("c"), S("n"), S(NOW), &d, NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "network");
    EXPECT_ERROR(ch_network_check(net, NULL, 0, S("c"), S("n"), S(NOW), &d, NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "person");
    EXPECT_ERROR(ch_network_check(net, S("p"), S("chapter.view"), S("cwa"), S(NOW), NULL, NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "out_decision");

    char *json = NULL;
    size_t len = 0;
    EXPECT_OK(ch_network_explain(net, S("p-0081"), S("members.view"), S("ch-queens"), S(NOW),
                                 &json, &len, &err), err);
    jval r;
    CHECK(json != NULL && jparse(json, len, &r));
    CHECK(jget(&r, "allowed")->type == J_BOOL && !jget(&r, "allowed")->boolean);
    CHECK(strcmp(jstr(&r, "code"), "forbidden") == 0);
    CHECK(strcmp(jstr(&r, "rule"), "data_agreement") == 0);
    CHECK(strcmp(jstr(&r, "grant"), "g-0154") == 0);
    CHECK(jget(&r, "personal_data")->boolean);
    jfree(&r);
    ch_string_free(json);
    EXPECT_ERROR(ch_network_explain(net, S("p"), S("x.y"), S("cwa"), S(NOW), &json, &len, &err), err,
                 CH_STATUS_NOT_FOUND, "x.y");
    CHECK(json == NULL && len == 0);
    EXPECT_ERROR(ch_network_explain(net, S("p"), S("chapter.view"), S("cwa"), S(NOW), NULL, NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "out_json");
    ch_network_free(net);
}

static void test_nodes_where(void) {
    ch_network *net = load_sample();
    ch_error *err = NULL;
    ch_id_array *all = ch_id_array_new();
    ch_id_array *page = ch_id_array_new();
    char *next = NULL;

    EXPECT_OK(ch_network_nodes_where(net, S("p-0009"), S("chapter.approve"), S(NOW), NULL, 0,
                                     1000, all, &next, &err), err);
    CHECK(next == NULL);
    size_t total = ch_id_array_len(all);
    CHECK(total > 10);
    CHECK(strcmp(ch_id_array_get(all, 0), "northeast") == 0);

    /* Pages of 4 give the same nodes in the same order. */
    size_t seen = 0, pages = 0;
    char *after = NULL;
    do {
        EXPECT_OK(ch_network_nodes_where(net, S("p-0009"), S("chapter.approve"), S(NOW),
                                         (const char *)after, after ? strlen(after) : 0, 4,
                                         page, &next, &err), err);
        ch_string_free(after);
        after = next;
        CHECK(ch_id_array_len(page) <= 4);
        for (size_t i = 0; i < ch_id_array_len(page); i++, seen++)
            CHECK(seen < total && strcmp(ch_id_array_get(page, i), ch_id_array_get(all, seen)) == 0);
        pages++;
    } while (next != NULL && pages < 100);
    CHECK(seen == total);
    CHECK(pages == (total + 3) / 4);

    /* Unknown person: nothing, not an error. */
    EXPECT_OK(ch_network_nodes_where(net, S("p-9999"), S("chapter.view"), S(NOW), NULL, 0, 10,
                                     page, &next, &err), err);
    CHECK(ch_id_array_len(page) == 0 && next == NULL);

    EXPECT_ERROR(ch_network_nodes_where(net, S("p-0009"), S("x.y"), S(NOW), NULL, 0, 10, page,
                                        &next, &err), err, CH_STATUS_NOT_FOUND, "x.y");
    EXPECT_ERROR(ch_network_nodes_where(net, S("p-0009"), S("chapter.view"), S(NOW), S("nope"), 10,
                                        page, &next, &err), err, CH_STATUS_NOT_FOUND, "nope");
    EXPECT_ERROR(ch_network_nodes_where(net, S("p-0009"), S("chapter.view"), S(NOW), S(BAD_UTF8), 10,
                                        page, &next, &err), err, CH_STATUS_INVALID_UTF8, "after");
    EXPECT_ERROR(ch_network_nodes_where(net, S("p-0009"), S("chapter.view"), S(NOW), NULL, 0, 10,
                                        page, NULL, &err), err, CH_STATUS_NULL_ARGUMENT, "out_next");
    EXPECT_ERROR(ch_network_nodes_where(net, S("p-0009"), S("chapter.view"), S(NOW), NULL, 0, 10,
                                        NULL, &next, &err), err, CH_STATUS_NULL_ARGUMENT, "out_ids");
    CHECK(next == NULL);
    ch_id_array_free(page);
    ch_id_array_free(all);
    ch_network_free(net);
}

static void test_who_can_and_audit(void) {
    ch_network *net = load_sample();
    ch_error *err = NULL;
    char *json = NULL;
    size_t len = 0;
    jval v;

    EXPECT_OK(ch_network_who_can(net, S("chapter.approve"), S("ch-springfield-ma"), S(NOW),
                                 &json, &len, &err), err);
    CHECK(json != NULL && jparse(json, len, &v));
    CHECK(v.type == J_ARR && v.n == 10);
    CHECK(v.n > 0 && strcmp(jstr(&v.items[0], "person"), "p-0011") == 0);
    CHECK(v.n > 0 && strcmp(jstr(&v.items[0], "grant"), "g-0011") == 0);
    CHECK(v.n > 0 && strncmp(jstr(&v.items[0], "explanation"), "allowed: p-0011", 15) == 0);
    jfree(&v);
    ch_string_free(json);
    EXPECT_ERROR(ch_network_who_can(net, S("chapter.approve"), S("nope"), S(NOW), &json, &len, &err),
                 err, CH_STATUS_NOT_FOUND, "nope");
    CHECK(json == NULL);
    EXPECT_ERROR(ch_network_who_can(net, S("x.y"), S("cwa"), S(NOW), &json, NULL, &err), err,
                 CH_STATUS_NOT_FOUND, "x.y");
    EXPECT_ERROR(ch_network_who_can(net, S("chapter.view"), S("cwa"), S("2026"), &json, NULL, &err),
                 err, CH_STATUS_INVALID_VALUE, "now");
    EXPECT_ERROR(ch_network_who_can(NULL, S("chapter.view"), S("cwa"), S(NOW), &json, NULL, &err),
                 err, CH_STATUS_NULL_ARGUMENT, "network");

    EXPECT_OK(ch_network_audit(net, S("members.export"), S(NOW), &json, &len, &err), err);
    CHECK(json != NULL && jparse(json, len, &v));
    CHECK(v.type == J_ARR && v.n == 90);
    size_t blocked = 0;
    for (size_t i = 0; i < v.n; i++)
        if (jget(&v.items[i], "blocked_by")->type == J_STR) blocked++;
    CHECK(blocked == 2);
    CHECK(strcmp(jstr(&v.items[0], "person"), "p-0001") == 0);
    CHECK(strcmp(jstr(&v.items[0], "role"), "admin") == 0);
    CHECK(strcmp(jstr(jget(&v.items[0], "scope"), "node"), "cwa") == 0);
    jfree(&v);
    ch_string_free(json);
    EXPECT_ERROR(ch_network_audit(net, S("x.y"), S(NOW), &json, &len, &err), err, CH_STATUS_NOT_FOUND, "x.y");
    EXPECT_ERROR(ch_network_audit(net, S(BAD_UTF8), S(NOW), &json, &len, &err), err,
                 CH_STATUS_INVALID_UTF8, "capability");
    EXPECT_ERROR(ch_network_audit(net, S("members.export"), S(NOW), NULL, &len, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "out_json");
    ch_network_free(net);
}

/* ------------------------------------------------------------ health */

static void test_health(void) {
    size_t csv_len = 0, facts_len = 0;
    char *csv = read_file("examples/data/activity.csv", &csv_len);
    char *facts = read_file("examples/data/groups.json", &facts_len);
    CHECK(csv != NULL && facts != NULL);
    ch_error *err = NULL;
    char *json = NULL;
    size_t len = 0;
    jval r;

    EXPECT_OK(ch_health_score_csv((const char *)csv, csv_len, (const char *)facts, facts_len,
                                  NULL, 0, true, S(NOW), &json, &len, &err), err);
    CHECK(json != NULL && jparse(json, len, &r));
    CHECK(strncmp(jstr(&r, "as_of"), "2026-11-01T00:00:00", 19) == 0);
    const jval *groups = jget(&r, "groups");
    CHECK(groups != NULL && groups->type == J_ARR && groups->n > 50);
    for (size_t i = 0; groups && i < groups->n; i++) {
        const jval *score = jget(&groups->items[i], "score");
        CHECK(score != NULL && score->num >= 0.0 && score->num <= 100.0);
    }
    CHECK(jget(&r, "metrics") != NULL);
    jfree(&r);
    ch_string_free(json);

    /* Calibration changes the model, so scores may differ; both succeed. */
    EXPECT_OK(ch_health_score_csv((const char *)csv, csv_len, NULL, 0, NULL, 0, false, S(NOW),
                                  &json, NULL, &err), err);
    ch_string_free(json);

    const char *rows =
        "[{\"group\":\"ch-1\",\"time\":\"2026-10-25T18:00:00Z\",\"kind\":\"event_held\",\"value\":18,\"actor\":\"ana\"},"
        " {\"group\":\"ch-1\",\"time\":\"2026-10-30T09:00:00Z\",\"kind\":\"leader_action\",\"actor\":\"ana\"},"
        " {\"group\":\"ch-2\",\"time\":\"2026-10-30T09:00:00Z\",\"kind\":\"post\",\"value\":null,\"actor\":null}]";
    EXPECT_OK(ch_health_score_json(S(rows), NULL, 0, NULL, 0, false, S(NOW), &json, &len, &err), err);
    CHECK(json != NULL && jparse(json, len, &r));
    groups = jget(&r, "groups");
    CHECK(groups != NULL && groups->n == 2);
    CHECK(groups && strcmp(jstr(&groups->items[0], "group"), "ch-1") == 0);
    CHECK(groups && jget(&groups->items[0], "bus_factor")->boolean);
    jfree(&r);
    ch_string_free(json);
    /* Same log as CSV gives the same report. */
    const char *same_csv = "group,time,kind,value,actor\n"
                           "ch-1,2026-10-25T18:00:00Z,event_held,18,ana\n"
                           "ch-1,2026-10-30T09:00:00Z,leader_action,,ana\n"
                           "ch-2,2026-10-30T09:00:00Z,post,,\n";
    char *a = NULL, *b = NULL;
    EXPECT_OK(ch_health_score_json(S(rows), NULL, 0, NULL, 0, false, S(NOW), &a, NULL, &err), err);
    EXPECT_OK(ch_health_score_csv(S(same_csv), NULL, 0, NULL, 0, false, S(NOW), &b, NULL, &err), err);
    CHECK(a && b && strcmp(a, b) == 0);
    ch_string_free(a);
    ch_string_free(b);

    EXPECT_ERROR(ch_health_score_csv(S("group,time,kind,value,actor\nch-1,yesterday,post,,\n"),
                                     NULL, 0, NULL, 0, false, S(NOW), &json, &len, &err), err,
                 CH_STATUS_PARSE, "csv line 2, column time");
    CHECK(json == NULL && len == 0);
    EXPECT_ERROR(ch_health_score_csv(S("who,when\n"), NULL, 0, NULL, 0, false, S(NOW), &json, NULL, &err),
                 err, CH_STATUS_PARSE, "who");
    EXPECT_ERROR(ch_health_score_json(S("[{\"group\":\"ch-1\",\"time\":\"2026-10-01T00:00:00Z\",\"kind\":\"lunch\"}]"),
                                      NULL, 0, NULL, 0, false, S(NOW), &json, NULL, &err), err,
                 CH_STATUS_PARSE, "[0].kind");
    EXPECT_ERROR(ch_health_score_json(S("[{\"group\":\"ch-1\",\"time\":\"2026-10-01T00:00:00Z\",\"kind\":\"leader_action\"}]"),
                                      NULL, 0, NULL, 0, false, S(NOW), &json, NULL, &err), err,
                 CH_STATUS_INVALID_VALUE, "actor");
    EXPECT_ERROR(ch_health_score_json(S("{"), NULL, 0, NULL, 0, false, S(NOW), &json, NULL, &err), err,
                 CH_STATUS_PARSE, "activity log");
    EXPECT_ERROR(ch_health_score_csv(S(same_csv), S("{\"groups\":[{\"grp\":1}]}"), NULL, 0, false, S(NOW),
                                     &json, NULL, &err), err, CH_STATUS_PARSE, "groups[0]");
    EXPECT_ERROR(ch_health_score_csv(S(same_csv), NULL, 0, S("{\"weights\":"), false, S(NOW),
                                     &json, NULL, &err), err, CH_STATUS_PARSE, "model");
    EXPECT_ERROR(ch_health_score_csv(S(same_csv), NULL, 0, NULL, 0, false, S("tomorrow"), &json, NULL, &err),
                 err, CH_STATUS_INVALID_VALUE, "now");
    EXPECT_ERROR(ch_health_score_csv(S(BAD_UTF8), NULL, 0, NULL, 0, false, S(NOW), &json, NULL, &err),
                 err, CH_STATUS_INVALID_UTF8, "activity_csv");
    EXPECT_ERROR(ch_health_score_json(S(rows), S(BAD_UTF8), NULL, 0, false, S(NOW), &json, NULL, &err),
                 err, CH_STATUS_INVALID_UTF8, "facts_json");
    EXPECT_ERROR(ch_health_score_csv(NULL, 0, NULL, 0, NULL, 0, false, S(NOW), &json, NULL, &err),
                 err, CH_STATUS_NULL_ARGUMENT, "activity_csv");
    EXPECT_ERROR(ch_health_score_json(S(rows), NULL, 0, NULL, 0, false, S(NOW), NULL, NULL, &err),
                 err, CH_STATUS_NULL_ARGUMENT, "out_report");
    free(csv);
    free(facts);
}

/* ------------------------------------------------------------ triage */

static void test_triage(void) {
    const char *input =
        "{\"chapters\":[{\"id\":\"ch-1\",\"cohort\":\"north\",\"health\":\"new\"}],"
        "\"staff\":[{\"id\":\"ana\",\"minutes\":300,\"cohorts\":[\"north\"]}],"
        "\"requests\":[{\"id\":\"r-1\",\"kind\":\"event_approval\",\"chapter\":\"ch-1\",\"tier\":2,"
        "\"created\":\"2026-10-30T09:00:00Z\",\"due\":\"2026-11-02T12:00:00Z\",\"minutes\":45}]}";
    const char *now = "2026-11-01T09:00:00Z";
    ch_error *err = NULL;
    char *json = NULL;
    size_t len = 0;
    jval p;
    EXPECT_OK(ch_triage_plan(S(input), NULL, 0, S(now), &json, &len, &err), err);
    CHECK(json != NULL && jparse(json, len, &p));
    const jval *rows = jget(&p, "rows");
    CHECK(rows != NULL && rows->n == 1);
    CHECK(rows && strcmp(jstr(&rows->items[0], "request"), "r-1") == 0);
    CHECK(rows && jget(&rows->items[0], "today")->boolean);
    CHECK(rows && strncmp(jstr(&rows->items[0], "reason"), "P2: tier 2", 10) == 0);
    jfree(&p);
    ch_string_free(json);
    EXPECT_OK(ch_triage_plan(S(input), S("{\"interruption_reserve_permille\":100}"), S(now), &json, NULL, &err), err);
    ch_string_free(json);

    EXPECT_ERROR(ch_triage_plan(S(input), S("{\"interruption_reserve_permille\":5000}"), S(now), &json, &len, &err),
                 err, CH_STATUS_INVALID_VALUE, "interruption_reserve_permille");
    CHECK(json == NULL && len == 0);
    EXPECT_ERROR(ch_triage_plan(S(input), S("{\"reserve\":1}"), S(now), &json, NULL, &err), err,
                 CH_STATUS_PARSE, "config_json");
    EXPECT_ERROR(ch_triage_plan(S("{\"requests\":[{\"id\":\"r-1\"}]}"), NULL, 0, S(now), &json, NULL, &err),
                 err, CH_STATUS_INVALID_VALUE, "r-1");
    EXPECT_ERROR(ch_triage_plan(S("{\"requests\":"), NULL, 0, S(now), &json, NULL, &err), err,
                 CH_STATUS_PARSE, "triage");
    EXPECT_ERROR(ch_triage_plan(S(input), NULL, 0, S("2026-13-01T00:00:00Z"), &json, NULL, &err), err,
                 CH_STATUS_INVALID_VALUE, "now");
    EXPECT_ERROR(ch_triage_plan(S(input), NULL, 0, S("2026-10-01T00:00:00Z"), &json, NULL, &err), err,
                 CH_STATUS_INVALID_VALUE, "after now");
    EXPECT_ERROR(ch_triage_plan(S(BAD_UTF8), NULL, 0, S(now), &json, NULL, &err), err,
                 CH_STATUS_INVALID_UTF8, "input_json");
    EXPECT_ERROR(ch_triage_plan(NULL, 0, NULL, 0, S(now), &json, NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "input_json");
    EXPECT_ERROR(ch_triage_plan(S(input), NULL, 0, S(now), NULL, NULL, &err), err,
                 CH_STATUS_NULL_ARGUMENT, "out_plan");
}

/* ------------------------------------------------------------ errors, threads */

static void test_error_api(void) {
    ch_error *err = NULL;
    ch_network *net = NULL;
    CHECK(ch_network_from_json(S("{"), &net, &err) == CH_STATUS_PARSE);
    CHECK(strcmp(ch_error_code(err), "parse") == 0);
    CHECK(ch_error_kind(err) == CH_STATUS_PARSE);
    ch_error_free(err);
    /* A success sets out_error to NULL. */
    err = (ch_error *)&err;
    net = load_small();
    size_t n = 0;
    CHECK(ch_network_len(net, &n, &err) == CH_STATUS_OK && err == NULL);
    ch_network_free(net);
    ch_string_free(NULL);
}

struct worker { const ch_network *net; int ok; };

static void *worker_run(void *arg) {
    struct worker *w = arg;
    ch_id_array *ids = ch_id_array_new();
    w->ok = 1;
    for (int i = 0; i < 200 && w->ok; i++) {
        ch_decision d = CH_DECISION_DENY;
        w->ok = ch_network_lookup(w->net, -71.0589, 42.3601, NULL, ids, NULL) == CH_STATUS_OK &&
                ch_id_array_len(ids) >= 1 && strcmp(ch_id_array_get(ids, 0), "ch-boston") == 0 &&
                ch_network_check(w->net, S("p-0009"), S("members.export"), S("ch-boston"), S(NOW),
                                 &d, NULL, NULL) == CH_STATUS_OK &&
                d == CH_DECISION_ALLOW;
    }
    ch_id_array_free(ids);
    return NULL;
}

/* One network, read from four threads at once (the territory index is built
 * on first use, by whichever thread comes first). */
static void test_shared_reads(void) {
    ch_network *net = load_sample();
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i].net = net;
        CHECK(pthread_create(&t[i], NULL, worker_run, &w[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        CHECK(w[i].ok);
    }
    ch_network_free(net);
}

int main(void) {
    test_id_array();
    test_apply();
    test_queries();
    test_territory();
    test_check();
    test_nodes_where();
    test_who_can_and_audit();
    test_health();
    test_triage();
    test_error_api();
    test_shared_reads();
    return finish("test_api");
}
