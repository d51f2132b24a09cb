/*
 * A tiny JSON reader for the C tests (not part of the library): enough to
 * walk the conformance vectors and the JSON the library returns. Each value
 * keeps its span in the source text, so a sub-document (a snapshot, an op)
 * can be handed to the library as it was written. Header-only; static.
 */
#ifndef CH_TEST_JSON_H
#define CH_TEST_JSON_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jval {
    jtype type;
    const char *start; /* the value's text in the source */
    size_t len;
    int boolean;
    double num;
    char *str;          /* J_STR: unescaped, NUL-terminated (malloc) */
    size_t str_len;
    struct jval *items; /* J_ARR / J_OBJ: children (malloc) */
    char **keys;        /* J_OBJ: unescaped keys (malloc) */
    size_t n;
} jval;

typedef struct {
    const char *p;
    const char *end;
    int depth;
} jparser;

static inline void jfree(jval *v) {
    if (v == NULL) return;
    free(v->str);
    for (size_t i = 0; i < v->n; i++) {
        jfree(&v->items[i]);
        if (v->keys != NULL) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    memset(v, 0, sizeof *v);
}

static inline void jskip(jparser *ps) {
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static inline int jhex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static inline int jhex4(jparser *ps, unsigned *out) {
    if (ps->end - ps->p < 4) return 0;
    unsigned u = 0;
    for (int i = 0; i < 4; i++) {
        int h = jhex(ps->p[i]);
        if (h < 0) return 0;
        u = u * 16 + (unsigned)h;
    }
    ps->p += 4;
    *out = u;
    return 1;
}

static inline size_t jutf8(unsigned cp, char *out) {
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads a string at ps->p (on the opening quote); returns malloc'd text. */
static inline char *jstring(jparser *ps, size_t *out_len) {
    if (ps->p >= ps->end || *ps->p != '"') return NULL;
    ps->p++;
    /* The unescaped text is never longer than the escaped one. */
    const char *q = ps->p;
    while (q < ps->end && *q != '"') q += (*q == '\\') ? 2 : 1;
    if (q >= ps->end) return NULL;
    char *buf = malloc((size_t)(q - ps->p) + 1);
    if (buf == NULL) return NULL;
    size_t n = 0;
    while (ps->p < ps->end && *ps->p != '"') {
        char c = *ps->p++;
        if ((unsigned char)c < 0x20) { free(buf); return NULL; }
        if (c != '\\') { buf[n++] = c; continue; }
        if (ps->p >= ps->end) { free(buf); return NULL; }
        char e = *ps->p++;
        switch (e) {
        case '"': buf[n++] = '"'; break;
        case '\\': buf[n++] = '\\'; break;
        case '/': buf[n++] = '/'; break;
        case 'b': buf[n++] = '\b'; break;
        case 'f': buf[n++] = '\f'; break;
        case 'n': buf[n++] = '\n'; break;
        case 'r': buf[n++] = '\r'; break;
        case 't': buf[n++] = '\t'; break;
        case 'u': {
            unsigned cp;
            if (!jhex4(ps, &cp)) { free(buf); return NULL; }
            if (cp >= 0xD800 && cp < 0xDC00) {
                unsigned lo;
                if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u') {
                    free(buf); return NULL;
                }
                ps->p += 2;
                if (!jhex4(ps, &lo) || lo < 0xDC00 || lo > 0xDFFF) { free(buf); return NULL; }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            n += jutf8(cp, buf + n); /* \uXXXX is 6 bytes, UTF-8 at most 4 */
            break;
        }
        default: free(buf); return NULL;
        }
    }
    if (ps->p >= ps->end) { free(buf); return NULL; }
    ps->p++; /* closing quote */
    buf[n] = '\0';
    *out_len = n;
    return buf;
}

static inline int jvalue(jparser *ps, jval *v);

static inline int jpush(jval *v, size_t *cap) {
    if (v->n < *cap) return 1;
    size_t nc = *cap ? *cap * 2 : 4;
    jval *items = realloc(v->items, nc * sizeof *items);
    if (items == NULL) return 0;
    v->items = items;
    if (v->type == J_OBJ) {
        char **keys = realloc(v->keys, nc * sizeof *keys);
        if (keys == NULL) return 0;
        v->keys = keys;
    }
    *cap = nc;
    return 1;
}

static inline int jcontainer(jparser *ps, jval *v, char close) {
    size_t cap = 0;
    ps->p++;
    jskip(ps);
    if (ps->p < ps->end && *ps->p == close) { ps->p++; return 1; }
    for (;;) {
        if (!jpush(v, &cap)) return 0;
        char *key = NULL;
        if (v->type == J_OBJ) {
            jskip(ps);
            size_t klen;
            key = jstring(ps, &klen);
            if (key == NULL) return 0;
            jskip(ps);
            if (ps->p >= ps->end || *ps->p != ':') { free(key); return 0; }
            ps->p++;
            v->keys[v->n] = key;
        }
        memset(&v->items[v->n], 0, sizeof v->items[v->n]);
        v->n++; /* counted now, so jfree frees a half-read child */
        if (!jvalue(ps, &v->items[v->n - 1])) return 0;
        jskip(ps);
        if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
        if (ps->p < ps->end && *ps->p == close) { ps->p++; return 1; }
        return 0;
    }
}

static inline int jvalue(jparser *ps, jval *v) {
    memset(v, 0, sizeof *v);
    if (++ps->depth > 64) return 0;
    jskip(ps);
    if (ps->p >= ps->end) return 0;
    v->start = ps->p;
    int ok = 0;
    char c = *ps->p;
    if (c == '{' || c == '[') {
        v->type = c == '{' ? J_OBJ : J_ARR;
        ok = jcontainer(ps, v, c == '{' ? '}' : ']');
    } else if (c == '"') {
        v->type = J_STR;
        v->str = jstring(ps, &v->str_len);
        ok = v->str != NULL;
    } else if (ps->end - ps->p >= 4 && strncmp(ps->p, "true", 4) == 0) {
        v->type = J_BOOL; v->boolean = 1; ps->p += 4; ok = 1;
    } else if (ps->end - ps->p >= 5 && strncmp(ps->p, "false", 5) == 0) {
        v->type = J_BOOL; ps->p += 5; ok = 1;
    } else if (ps->end - ps->p >= 4 && strncmp(ps->p, "null", 4) == 0) {
        v->type = J_NULL; ps->p += 4; ok = 1;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        char tmp[64];
        size_t k = 0;
        while (ps->p < ps->end && k < sizeof tmp - 1 &&
               strchr("+-0123456789.eE", *ps->p) != NULL)
            tmp[k++] = *ps->p++;
        tmp[k] = '\0';
        char *endp;
        v->type = J_NUM;
        v->num = strtod(tmp, &endp);
        ok = endp == tmp + k;
    }
    v->len = (size_t)(ps->p - v->start);
    ps->depth--;
    return ok;
}

/* Parses `len` bytes; returns 1 and fills `out` (free with jfree) on success. */
static inline int jparse(const char *text, size_t len, jval *out) {
    jparser ps = {text, text + len, 0};
    if (!jvalue(&ps, out)) { jfree(out); return 0; }
    jskip(&ps);
    if (ps.p != ps.end) { jfree(out); return 0; }
    return 1;
}

/* The member `key` of an object, or NULL. */
static inline const jval *jget(const jval *obj, const char *key) {
    if (obj == NULL || obj->type != J_OBJ) return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0) return &obj->items[i];
    return NULL;
}

/* The string value of member `key`, or NULL. */
static inline const char *jstr(const jval *obj, const char *key) {
    const jval *v = jget(obj, key);
    return v != NULL && v->type == J_STR ? v->str : NULL;
}

#endif /* CH_TEST_JSON_H */
