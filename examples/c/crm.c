/*
 * The PHP example (examples/php/crm.php) in C: routes members to their
 * chapter by coordinates, checks a permission with its explanation, and
 * prints a chapter's health, on the sample data in examples/data/.
 *
 *   cc -std=c11 -Iinclude examples/c/crm.c target/debug/libchapterhouse.a \
 *      -lpthread -ldl -lm -o crm && ./crm examples/data
 *
 * A real CRM would read the JSON results with its JSON library; to stay
 * dependency-free this example picks the few fields it prints with strstr.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chapterhouse.h"

#define NOW "2026-11-01T00:00:00Z"

/* Reads a whole file into a NUL-terminated buffer (free it); exits on failure. */
static char *slurp(const char *dir, const char *name, size_t *out_len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(1); }
    fclose(f);
    buf[n] = '\0';
    *out_len = (size_t)n;
    return buf;
}

/* Prints the error, frees it, and exits when a call failed. */
static void must(ch_status st, ch_error *err, const char *what) {
    if (st == CH_STATUS_OK) return;
    fprintf(stderr, "%s failed: [%s] %s\n", what, ch_error_code(err), ch_error_message(err));
    ch_error_free(err);
    exit(1);
}

/* The text of `"key":"..."` after `from` (no escapes in the fields used here). */
static void field(const char *from, const char *key, char *out, size_t cap) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(from, pat);
    out[0] = '\0';
    if (p == NULL) return;
    p += strlen(pat);
    if (*p == '"') p++;
    size_t n = strcspn(p, "\",}");
    if (n >= cap) n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

static void route(const ch_network *net, ch_id_array *ids, const char *name, double lon,
                  double lat) {
    ch_error *err = NULL;
    must(ch_network_lookup(net, lon, lat, NULL, ids, &err), err, "lookup");
    printf("member at %s (%g, %g): ", name, lon, lat);
    size_t n = ch_id_array_len(ids);
    if (n > 0) {
        const char *id = ch_id_array_get(ids, 0);
        char *node = NULL, chapter[256];
        must(ch_network_node_json(net, id, strlen(id), &node, NULL, &err), err, "node");
        field(node, "name", chapter, sizeof chapter);
        ch_string_free(node);
        printf("%s (%s)", id, chapter);
        for (size_t i = 1; i < n; i++)
            printf("%s%s", i == 1 ? ", also inside " : ", ", ch_id_array_get(ids, i));
        printf("\n");
    } else {
        must(ch_network_nearest(net, lon, lat, 1, NULL, ids, &err), err, "nearest");
        printf("no chapter here; nearest is %s, %.1f km away\n", ch_id_array_get(ids, 0),
               ch_id_array_distance_m(ids, 0) / 1000.0);
    }
}

static void may(const ch_network *net, const char *who, const char *what, const char *where) {
    ch_decision d;
    char *why = NULL;
    ch_error *err = NULL;
    must(ch_network_check(net, who, strlen(who), what, strlen(what), where, strlen(where), NOW,
                          strlen(NOW), &d, &why, &err),
         err, "check");
    printf("may %s use %s at %s? %s\n  %s\n", who, what, where,
           d == CH_DECISION_ALLOW ? "yes" : "no", why);
    ch_string_free(why);
}

int main(int argc, char **argv) {
    const char *data = argc > 1 ? argv[1] : "examples/data";
    printf("chapterhouse %s\n", ch_version());

    size_t len = 0;
    char *snapshot = slurp(data, "network.json", &len);
    ch_network *net = NULL;
    ch_error *err = NULL;
    must(ch_network_from_json(snapshot, len, &net, &err), err, "load");
    free(snapshot);
    size_t nodes = 0;
    must(ch_network_len(net, &nodes, &err), err, "len");
    printf("network: %zu nodes\n\n", nodes);

    /* 1. Which chapter for this member's coordinates? (two places of places.json) */
    ch_id_array *ids = ch_id_array_new();
    route(net, ids, "Harvard Square, Cambridge", -71.1189, 42.3733);
    route(net, ids, "Chicago Loop", -87.6298, 41.8781);
    ch_id_array_free(ids);

    /* 2. May this person do this, here, and why (not)? */
    printf("\n");
    may(net, "p-0009", "members.export", "ch-boston");
    may(net, "p-0081", "members.view", "ch-queens");
    ch_decision d;
    ch_status st = ch_network_check(net, "p-0009", 6, "members.teleport", 16, "ch-boston", 9,
                                    NOW, strlen(NOW), &d, NULL, &err);
    if (st != CH_STATUS_OK) {
        printf("  an unknown capability is an error: [%s] %s\n", ch_error_code(err),
               ch_error_message(err));
        ch_error_free(err);
        err = NULL;
    }
    ch_network_free(net);

    /* 3. A chapter's health, from the activity log and the group facts. */
    size_t csv_len = 0, facts_len = 0;
    char *csv = slurp(data, "activity.csv", &csv_len);
    char *facts = slurp(data, "groups.json", &facts_len);
    char *report = NULL;
    must(ch_health_score_csv(csv, csv_len, facts, facts_len, NULL, 0, true, NOW, strlen(NOW),
                             &report, NULL, &err),
         err, "health");
    free(csv);
    free(facts);
    const char *g = strstr(report, "{\"group\":\"ch-boston\"");
    if (g != NULL) {
        char score[32], status[32], reason[256], todo[256];
        field(g, "score", score, sizeof score);
        field(g, "status", status, sizeof status);
        field(g, "status_reason", reason, sizeof reason);
        field(g, "intervention_text", todo, sizeof todo);
        printf("\nhealth of ch-boston: %.1f, %s\n  %s\n  what to do: %s\n",
               floor(atof(score) * 10) / 10, status, reason, todo);
    }
    size_t groups = 0;
    for (const char *p = report; (p = strstr(p, "{\"group\":\"")) != NULL; p++) groups++;
    printf("(%zu groups scored)\n", groups);
    ch_string_free(report);
    return 0;
}
