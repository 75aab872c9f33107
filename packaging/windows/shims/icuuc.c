/* Windows 10+ ships icuuc.dll; Wine 8 does not, and PySide6's Qt6Core imports these converters from it. Qt
 * uses them only for encodings it has no built-in codec for (ecpos converts GBK in Python), so every converter
 * "fails to open" (U_FILE_ACCESS_ERROR) and the rest are never reached. For tests under Wine only. */
#include <stddef.h>
#include <stdint.h>

#define API __declspec(dllexport)
typedef int UErrorCode;
#define U_FILE_ACCESS_ERROR 4

static void fail(UErrorCode *err)
{
    if (err != NULL && *err <= 0)
        *err = U_FILE_ACCESS_ERROR;
}

API void *ucnv_open(const char *name, UErrorCode *err) { (void)name; fail(err); return NULL; }
API void ucnv_close(void *cnv) { (void)cnv; }
API int32_t ucnv_countAvailable(void) { return 0; }
API const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
API const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *err)
{ (void)name; (void)standard; fail(err); return NULL; }
API const char *ucnv_getName(const void *cnv, UErrorCode *err) { (void)cnv; fail(err); return NULL; }
API int8_t ucnv_getMaxCharSize(const void *cnv) { (void)cnv; return 1; }
API void ucnv_reset(void *cnv) { (void)cnv; }
API int32_t ucnv_fromUCountPending(const void *cnv, UErrorCode *err) { (void)cnv; fail(err); return 0; }
API int32_t ucnv_toUCountPending(const void *cnv, UErrorCode *err) { (void)cnv; fail(err); return 0; }
API void ucnv_fromUnicode(void *c, char **t, const char *te, const uint16_t **s, const uint16_t *se, int32_t *o,
                          int8_t f, UErrorCode *err)
{ (void)c; (void)t; (void)te; (void)s; (void)se; (void)o; (void)f; fail(err); }
API void ucnv_toUnicode(void *c, uint16_t **t, const uint16_t *te, const char **s, const char *se, int32_t *o,
                        int8_t f, UErrorCode *err)
{ (void)c; (void)t; (void)te; (void)s; (void)se; (void)o; (void)f; fail(err); }
API void ucnv_getFromUCallBack(const void *c, void **a, const void **ctx) { (void)c; (void)a; (void)ctx; }
API void ucnv_getToUCallBack(const void *c, void **a, const void **ctx) { (void)c; (void)a; (void)ctx; }
API void ucnv_setFromUCallBack(void *c, void *n, const void *nc, void **o, const void **oc, UErrorCode *err)
{ (void)c; (void)n; (void)nc; (void)o; (void)oc; fail(err); }
API void ucnv_setToUCallBack(void *c, void *n, const void *nc, void **o, const void **oc, UErrorCode *err)
{ (void)c; (void)n; (void)nc; (void)o; (void)oc; fail(err); }
API void ucnv_cbFromUWriteUChars(void *a, const uint16_t **s, const uint16_t *se, int32_t o, UErrorCode *err)
{ (void)a; (void)s; (void)se; (void)o; fail(err); }
API void ucnv_cbToUWriteUChars(void *a, const uint16_t *s, int32_t l, int32_t o, UErrorCode *err)
{ (void)a; (void)s; (void)l; (void)o; fail(err); }
API void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *c, void *a, const uint16_t *u, int32_t l, int32_t cp, int r,
                                         UErrorCode *err)
{ (void)c; (void)a; (void)u; (void)l; (void)cp; (void)r; fail(err); }
API void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *c, void *a, const char *b, int32_t l, int r, UErrorCode *err)
{ (void)c; (void)a; (void)b; (void)l; (void)r; fail(err); }
