/* A strict JSON syntax checker (no tree is built) and a member finder for validated objects. */
#include "ec_internal.h"

#include <string.h>

#define EC_JSON_DEPTH 64

typedef struct {
    const char *p, *end;
} cursor;

static void ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
        c->p++;
}

static int is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static int string(cursor *c)
{
    if (c->p >= c->end || *c->p != '"')
        return 0;
    c->p++;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch == '"')
            return 1;
        if (ch < 0x20)
            return 0;
        if (ch == '\\') {
            if (c->p >= c->end)
                return 0;
            ch = (unsigned char)*c->p++;
            if (ch == 'u') {
                int i;
                for (i = 0; i < 4; i++, c->p++)
                    if (c->p >= c->end || !is_hex(*c->p))
                        return 0;
            } else if (!strchr("\"\\/bfnrt", ch) || ch == '\0') {
                return 0;
            }
        }
    }
    return 0;
}

static int digits(cursor *c)
{
    const char *start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
        c->p++;
    return c->p > start;
}

static int number(cursor *c)
{
    if (c->p < c->end && *c->p == '-')
        c->p++;
    if (c->p < c->end && *c->p == '0')
        c->p++;
    else if (!digits(c))
        return 0;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!digits(c))
            return 0;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        if (!digits(c))
            return 0;
    }
    return 1;
}

static int literal(cursor *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return 0;
    c->p += n;
    return 1;
}

static int value(cursor *c, int depth);

static int container(cursor *c, int depth, char close, int members)
{
    if (depth > EC_JSON_DEPTH)
        return 0;
    c->p++; /* the opening bracket */
    ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return 1;
    }
    for (;;) {
        if (members) {
            if (!string(c))
                return 0;
            ws(c);
            if (c->p >= c->end || *c->p != ':')
                return 0;
            c->p++;
            ws(c);
        }
        if (!value(c, depth + 1))
            return 0;
        ws(c);
        if (c->p >= c->end)
            return 0;
        if (*c->p == close) {
            c->p++;
            return 1;
        }
        if (*c->p != ',')
            return 0;
        c->p++;
        ws(c);
    }
}

static int value(cursor *c, int depth)
{
    if (c->p >= c->end)
        return 0;
    switch (*c->p) {
    case '{':
        return container(c, depth, '}', 1);
    case '[':
        return container(c, depth, ']', 0);
    case '"':
        return string(c);
    case 't':
        return literal(c, "true");
    case 'f':
        return literal(c, "false");
    case 'n':
        return literal(c, "null");
    default:
        return number(c);
    }
}

int ec_json_is_object(const char *s, size_t n)
{
    cursor c;
    c.p = s;
    c.end = s + n;
    ws(&c);
    if (c.p >= c.end || *c.p != '{' || !value(&c, 0))
        return 0;
    ws(&c);
    return c.p == c.end;
}

int ec_json_member(const char *obj, const char *end, const char *key, const char **vstart, const char **vend)
{
    cursor c;
    size_t klen = strlen(key);
    c.p = obj;
    c.end = end;
    ws(&c);
    if (c.p >= c.end || *c.p != '{')
        return 0;
    c.p++;
    for (;;) {
        const char *k, *kend;
        ws(&c);
        if (c.p >= c.end || *c.p != '"')
            return 0;
        k = c.p + 1;
        if (!string(&c))
            return 0;
        kend = c.p - 1; /* the closing quote */
        ws(&c);
        if (c.p >= c.end || *c.p != ':')
            return 0;
        c.p++;
        ws(&c);
        *vstart = c.p;
        if (!value(&c, 1))
            return 0;
        *vend = c.p;
        if ((size_t)(kend - k) == klen && memcmp(k, key, klen) == 0)
            return 1;
        ws(&c);
        if (c.p >= c.end || *c.p != ',')
            return 0;
        c.p++;
    }
}

int ec_json_escape(char *buf, size_t cap, size_t *len, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = *len;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        const char *esc = NULL;
        char tmp[7];
        size_t need;
        if (ch == '"')
            esc = "\\\"";
        else if (ch == '\\')
            esc = "\\\\";
        else if (ch < 0x20 || ch == 0x7f) {
            tmp[0] = '\\', tmp[1] = 'u', tmp[2] = '0', tmp[3] = '0';
            tmp[4] = hex[ch >> 4], tmp[5] = hex[ch & 15], tmp[6] = '\0';
            esc = tmp;
        }
        need = esc ? strlen(esc) : 1;
        if (n + need + 1 > cap) {
            buf[n] = '\0';
            *len = n;
            return 0;
        }
        if (esc) {
            memcpy(buf + n, esc, need);
        } else {
            buf[n] = (char)ch;
        }
        n += need;
    }
    buf[n] = '\0';
    *len = n;
    return 1;
}
