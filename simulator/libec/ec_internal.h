/* Internal helpers of the reference library (not exported). */
#ifndef EC_INTERNAL_H
#define EC_INTERNAL_H

#include <stddef.h>

#define EC_CHARSET "GBK"          /* the library side's strings, as on zh-CN Windows */
#define EC_IN_MAX (64 * 1024)     /* longest request accepted */
#define EC_BODY_MAX (32 * 1024)   /* a longer wire body cannot fit NATIONEC_OUT_MAX after conversion */
#define EC_HEAD_MAX (8 * 1024)
#define EC_CODE_MAX 512           /* longest code read from the scanner */
#define EC_DETAIL_MAX 240

/* A failure: the error answer's code, the status string, a Chinese message and an ASCII detail. */
typedef struct {
    int code;
    const char *status;
    const char *message; /* UTF-8 constant */
    char detail[EC_DETAIL_MAX];
} ec_error;

void ec_fail(ec_error *err, int code, const char *status, const char *message, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* The variable's value copied into buf, or NULL when it is unset or longer than cap - 1 bytes. */
const char *ec_getenv(const char *name, char *buf, size_t cap);
long ec_env_ms(const char *name, long fallback);
long long ec_now_ms(void); /* monotonic milliseconds, for deadlines */

/* charset.c: both return a malloc'd NUL-terminated string or NULL (err set). */
char *ec_to_utf8(const char *in, size_t n, ec_error *err);
char *ec_from_utf8(const char *in, size_t n, size_t *out_len, ec_error *err);

/* json.c */
int ec_json_is_object(const char *s, size_t n);
/* Find key in the object starting at obj (which must be valid JSON); sets value span. 1 found, 0 not. */
int ec_json_member(const char *obj, const char *end, const char *key, const char **vstart,
                   const char **vend);
/* Append s as a JSON string body (no quotes) to buf of cap bytes at *len; 0 when it did not fit. */
int ec_json_escape(char *buf, size_t cap, size_t *len, const char *s);

/* http.c: POST body to url; on success *resp is the malloc'd answer body (NUL-terminated). */
int ec_http_post(const char *url, const char *body, size_t body_len, char **resp, size_t *resp_len,
                 ec_error *err);

/* scanner.c: read one code line from NATIONEC_SCANNER into code (cap bytes). 0 ok, -1 err set. */
int ec_scan_code(char *code, size_t cap, ec_error *err);

#endif
