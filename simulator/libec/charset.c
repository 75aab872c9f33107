/* Conversion between the library charset (GBK) and UTF-8 on the wire, with iconv (Win32: the code-page API). */
#include "nationec.h"
#include "ec_internal.h"

#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
/* Windows: the ANSI code page 936 (GBK) through the Win32 converters, as the vendor's DLL does. */
#include <windows.h>

#define EC_CODEPAGE 936

/* UTF-16 of n bytes in code page cp, or NULL when a byte sequence is invalid there. */
static wchar_t *to_wide(UINT cp, const char *in, size_t n, int *wlen)
{
    wchar_t *w;
    int len;
    if (n == 0) {
        *wlen = 0;
        return calloc(1, sizeof(wchar_t));
    }
    len = MultiByteToWideChar(cp, MB_ERR_INVALID_CHARS, in, (int)n, NULL, 0);
    if (len <= 0)
        return NULL;
    w = malloc(((size_t)len + 1) * sizeof(wchar_t));
    if (w == NULL || MultiByteToWideChar(cp, MB_ERR_INVALID_CHARS, in, (int)n, w, len) != len) {
        free(w);
        return NULL;
    }
    *wlen = len;
    return w;
}

/* Bytes of w in code page cp (a character it lacks becomes '?'), NUL-terminated. */
static char *from_wide(UINT cp, const wchar_t *w, int wlen, size_t *out_len)
{
    int len = wlen == 0 ? 0 : WideCharToMultiByte(cp, 0, w, wlen, NULL, 0, cp == CP_UTF8 ? NULL : "?", NULL);
    char *out = malloc((size_t)len + 1);
    if (out == NULL || (wlen > 0 && WideCharToMultiByte(cp, 0, w, wlen, out, len, cp == CP_UTF8 ? NULL : "?",
                                                        NULL) != len)) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    if (out_len != NULL)
        *out_len = (size_t)len;
    return out;
}

/* A character beyond U+FFFF (never in GBK) is two UTF-16 units, which WideCharToMultiByte would make two
 * '?': make it one '?', as iconv's path gives one per character. Returns the new length. */
static int one_unit_per_character(wchar_t *w, int wlen)
{
    int i, o = 0;
    for (i = 0; i < wlen; i++) {
        if (w[i] >= 0xD800 && w[i] <= 0xDBFF && i + 1 < wlen && w[i + 1] >= 0xDC00 && w[i + 1] <= 0xDFFF) {
            w[o++] = L'?';
            i++;
        } else {
            w[o++] = w[i];
        }
    }
    return o;
}

char *ec_to_utf8(const char *in, size_t n, ec_error *err)
{
    int wlen = 0;
    wchar_t *w = to_wide(EC_CODEPAGE, in, n, &wlen);
    char *out;
    if (w == NULL) {
        ec_fail(err, NATIONEC_E_BAD_REQUEST, NATIONEC_ST_CHARSET, "请求不是有效的" EC_CHARSET "文本",
                "GBK -> UTF-8 failed (Win32 error %lu)", (unsigned long)GetLastError());
        return NULL;
    }
    out = from_wide(CP_UTF8, w, wlen, NULL);
    free(w);
    if (out == NULL)
        ec_fail(err, NATIONEC_E_BAD_REQUEST, NATIONEC_ST_CHARSET, "内存不足", "out of memory");
    return out;
}

char *ec_from_utf8(const char *in, size_t n, size_t *out_len, ec_error *err)
{
    int wlen = 0;
    wchar_t *w = to_wide(CP_UTF8, in, n, &wlen);
    char *out;
    if (w == NULL) {
        ec_fail(err, NATIONEC_E_BAD_ANSWER, NATIONEC_ST_GARBAGE, "医保电子凭证服务应答无效",
                "UTF-8 -> GBK failed (Win32 error %lu)", (unsigned long)GetLastError());
        return NULL;
    }
    wlen = one_unit_per_character(w, wlen);
    out = from_wide(EC_CODEPAGE, w, wlen, out_len);
    free(w);
    if (out == NULL)
        ec_fail(err, NATIONEC_E_BAD_ANSWER, NATIONEC_ST_GARBAGE, "内存不足", "out of memory");
    return out;
}

#else
#include <errno.h>
#include <iconv.h>

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len, i;
    unsigned cp;
    if (n == 0)
        return 0;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        len = 2, cp = p[0] & 0x1F;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        len = 3, cp = p[0] & 0x0F;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        len = 4, cp = p[0] & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

/* Run iconv over the whole input; characters the target lacks become '?' when substitute is set. */
static char *convert(const char *to, const char *from, const char *in, size_t n, size_t cap, int substitute,
                     size_t *out_len, ec_error *err, int bad_code, const char *bad_status, const char *bad_msg)
{
    iconv_t cd = iconv_open(to, from);
    char *out, *inp = (char *)in, *outp;
    size_t inleft = n, outleft;

    if (cd == (iconv_t)-1) {
        ec_fail(err, bad_code, NATIONEC_ST_CHARSET, "字符集转换不可用", "iconv_open(%s, %s) failed", to, from);
        return NULL;
    }
    out = malloc(cap + 1);
    if (out == NULL) {
        iconv_close(cd);
        ec_fail(err, bad_code, bad_status, "内存不足", "out of memory");
        return NULL;
    }
    outp = out;
    outleft = cap;
    while (inleft > 0) {
        if (iconv(cd, &inp, &inleft, &outp, &outleft) != (size_t)-1)
            break;
        if (errno == EILSEQ && substitute && outleft > 0) {
            size_t skip = utf8_len((const unsigned char *)inp, inleft);
            if (skip > 0) { /* valid character the library charset cannot hold */
                *outp++ = '?';
                outleft--;
                inp += skip;
                inleft -= skip;
                continue;
            }
        }
        ec_fail(err, bad_code, bad_status, bad_msg, "%s -> %s failed at byte %lu (errno %d)", from, to,
                (unsigned long)(n - inleft), errno);
        free(out);
        iconv_close(cd);
        return NULL;
    }
    iconv(cd, NULL, NULL, &outp, &outleft); /* flush shift state */
    iconv_close(cd);
    *outp = '\0';
    if (out_len != NULL)
        *out_len = (size_t)(outp - out);
    return out;
}

char *ec_to_utf8(const char *in, size_t n, ec_error *err)
{
    /* a GBK byte pair becomes at most 3 UTF-8 bytes, but the single byte 0x80 ("€") becomes 3 as well */
    return convert("UTF-8", EC_CHARSET, in, n, n * 3 + 4, 0, NULL, err, NATIONEC_E_BAD_REQUEST,
                   NATIONEC_ST_CHARSET, "请求不是有效的" EC_CHARSET "文本");
}

char *ec_from_utf8(const char *in, size_t n, size_t *out_len, ec_error *err)
{
    /* GBK never needs more bytes than UTF-8 for the same text */
    return convert(EC_CHARSET, "UTF-8", in, n, n + 4, 1, out_len, err, NATIONEC_E_BAD_ANSWER,
                   NATIONEC_ST_GARBAGE, "医保电子凭证服务应答无效");
}
#endif
