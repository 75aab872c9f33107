/* NationEcTrans: request in the library charset -> UTF-8 JSON POST -> answer back in the library charset. */
#include "nationec.h"
#include "ec_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <windows.h>
#endif

void ec_fail(ec_error *err, int code, const char *status, const char *message, const char *fmt, ...)
{
    va_list ap;
    err->code = code;
    err->status = status;
    err->message = message;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof err->detail, fmt, ap);
    va_end(ap);
}

const char *ec_getenv(const char *name, char *buf, size_t cap)
{
#ifdef _WIN32
    /* the process environment itself: the host's C runtime (not this DLL's msvcrt) applies os.environ there */
    DWORD n = GetEnvironmentVariableA(name, buf, (DWORD)cap);
    return n > 0 && n < cap ? buf : NULL;
#else
    const char *v = getenv(name);
    if (v == NULL || strlen(v) >= cap)
        return NULL;
    memcpy(buf, v, strlen(v) + 1);
    return buf;
#endif
}

long ec_env_ms(const char *name, long fallback)
{
    char buf[32];
    const char *v = ec_getenv(name, buf, sizeof buf);
    char *end = NULL;
    long ms;
    if (v == NULL || *v == '\0')
        return fallback;
    errno = 0;
    ms = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || ms < 1)
        return fallback;
    return ms > 600000 ? 600000 : ms;
}

long long ec_now_ms(void)
{
#ifdef _WIN32
    return (long long)GetTickCount64();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
#endif
}

/* Write the library's own error answer into out_buf (always far below NATIONEC_OUT_MAX). */
static const char *write_error(char *out_buf, const ec_error *err)
{
    char utf8[1024];
    size_t len = 0;
    char *conv;
    size_t conv_len = 0;
    ec_error ignored;
    int n = snprintf(utf8, sizeof utf8, "{\"code\":%d,\"message\":\"", err->code);

    len = (size_t)n;
    if (!ec_json_escape(utf8, sizeof utf8, &len, err->message))
        len = (size_t)n;
    n = snprintf(utf8 + len, sizeof utf8 - len, "\",\"data\":null,\"extra\":{\"status\":\"%s\",\"detail\":\"",
                 err->status);
    len += (size_t)n;
    if (!ec_json_escape(utf8, sizeof utf8 - 8, &len, err->detail))
        utf8[len] = '\0';
    snprintf(utf8 + len, sizeof utf8 - len, "\"}}");
    conv = ec_from_utf8(utf8, strlen(utf8), &conv_len, &ignored);
    if (conv != NULL && conv_len < NATIONEC_OUT_MAX) {
        memcpy(out_buf, conv, conv_len + 1);
    } else { /* no converter: an ASCII answer still says what happened */
        snprintf(out_buf, NATIONEC_OUT_MAX,
                 "{\"code\":%d,\"message\":\"nationec error %s\",\"data\":null,\"extra\":{\"status\":\"%s\"}}",
                 err->code, err->status, err->status);
    }
    free(conv);
    return err->status;
}

/* Vendor mode: the request names no code, so read one from the scanner and put it in data.ecQrCode. */
static char *add_scanned_code(char *req, ec_error *err)
{
    const char *end = req + strlen(req);
    const char *data, *data_end, *qr, *qr_end;
    char code[EC_CODE_MAX + 1];
    char member[2 * EC_CODE_MAX + 32];
    size_t mlen = 0, head, tail, total;
    char *out;

    if (!ec_json_member(req, end, "data", &data, &data_end) || *data != '{') {
        ec_fail(err, NATIONEC_E_BAD_REQUEST, NATIONEC_ST_ARGUMENT, "请求缺少data对象", "request has no data object");
        return NULL;
    }
    if (ec_json_member(data, data_end, "ecQrCode", &qr, &qr_end) && qr[0] == '"' && qr_end - qr > 2)
        return req; /* the terminal passed the code itself */
    if (ec_scan_code(code, sizeof code, err) != 0)
        return NULL;

    memcpy(member, "\"ecQrCode\":\"", 12);
    mlen = 12;
    if (!ec_json_escape(member, sizeof member - 4, &mlen, code)) {
        ec_fail(err, NATIONEC_E_SCANNER, NATIONEC_ST_SCAN, "扫码内容无效", "code too long to escape");
        return NULL;
    }
    member[mlen++] = '"';
    if (ec_json_member(data, data_end, "ecQrCode", &qr, &qr_end)) {
        /* replace the empty (or null) value */
        memmove(member, member + 11, mlen - 11);
        mlen -= 11;
        head = (size_t)(qr - req);
        tail = (size_t)(end - qr_end);
    } else {
        /* insert as the first member of data */
        const char *p = data + 1;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (*p != '}')
            member[mlen++] = ',';
        head = (size_t)(data + 1 - req);
        tail = (size_t)(end - (data + 1));
        qr_end = data + 1;
    }
    total = head + mlen + tail;
    out = malloc(total + 1);
    if (out == NULL) {
        ec_fail(err, NATIONEC_E_BAD_REQUEST, NATIONEC_ST_ARGUMENT, "内存不足", "out of memory");
        return NULL;
    }
    memcpy(out, req, head);
    memcpy(out + head, member, mlen);
    memcpy(out + head + mlen, qr_end, tail);
    out[total] = '\0';
    free(req);
    return out;
}

NATIONEC_API const char *NATIONEC_CALL NationEcTrans(const char *url, const char *in_json, char *out_buf)
{
    ec_error err;
    char *req = NULL, *sent, *resp = NULL, *answer = NULL;
    size_t in_len, resp_len = 0, answer_len = 0;
    const char *status;

    if (out_buf == NULL)
        return NATIONEC_ST_ARGUMENT;
    out_buf[0] = '\0';
    memset(&err, 0, sizeof err);
    if (url == NULL || in_json == NULL) {
        ec_fail(&err, NATIONEC_E_BAD_REQUEST, NATIONEC_ST_ARGUMENT, "参数为空", "url or in_json is NULL");
        return write_error(out_buf, &err);
    }
    in_len = strlen(in_json);
    if (in_len > EC_IN_MAX) {
        ec_fail(&err, NATIONEC_E_BAD_REQUEST, NATIONEC_ST_ARGUMENT, "请求过长", "request of %lu bytes",
                (unsigned long)in_len);
        return write_error(out_buf, &err);
    }
    req = ec_to_utf8(in_json, in_len, &err);
    if (req == NULL)
        return write_error(out_buf, &err);
    if (!ec_json_is_object(req, strlen(req))) {
        free(req);
        ec_fail(&err, NATIONEC_E_BAD_REQUEST, NATIONEC_ST_ARGUMENT, "请求不是有效的JSON对象", "invalid request JSON");
        return write_error(out_buf, &err);
    }
    sent = add_scanned_code(req, &err);
    if (sent == NULL) {
        free(req);
        return write_error(out_buf, &err);
    }
    if (ec_http_post(url, sent, strlen(sent), &resp, &resp_len, &err) != 0) {
        free(sent);
        return write_error(out_buf, &err);
    }
    free(sent);
    if (!ec_json_is_object(resp, resp_len)) {
        free(resp);
        ec_fail(&err, NATIONEC_E_BAD_ANSWER, NATIONEC_ST_GARBAGE, "医保电子凭证服务应答无效",
                "answer is not a JSON object (%lu bytes)", (unsigned long)resp_len);
        return write_error(out_buf, &err);
    }
    answer = ec_from_utf8(resp, resp_len, &answer_len, &err);
    free(resp);
    if (answer == NULL)
        return write_error(out_buf, &err);
    if (answer_len >= NATIONEC_OUT_MAX) {
        free(answer);
        ec_fail(&err, NATIONEC_E_TOO_LARGE, NATIONEC_ST_TOO_LARGE, "医保电子凭证服务应答过长",
                "answer of %lu bytes exceeds %d", (unsigned long)answer_len, NATIONEC_OUT_MAX - 1);
        return write_error(out_buf, &err);
    }
    memcpy(out_buf, answer, answer_len + 1);
    free(answer);
    status = NATIONEC_ST_OK;
    return status;
}

NATIONEC_API const char *NATIONEC_CALL EcQuery(const char *in_json, char *out_buf)
{
    char buf[2048];
    const char *url = ec_getenv("NATIONEC_URL", buf, sizeof buf);
    return NationEcTrans(url != NULL && *url != '\0' ? url : NATIONEC_DEFAULT_URL, in_json, out_buf);
}
