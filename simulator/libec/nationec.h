/* Reference NationEcTrans library: the ABI of the vendor's e-credential (医保电子凭证) library.
 *
 *   const char *NationEcTrans(const char *url, const char *in_json, char *out_buf);
 *
 * url      credential service endpoint, http://host[:port]/path (plain HTTP only in this reference build)
 * in_json  request JSON in the library's charset (GBK, as the ANSI code page of zh-CN Windows)
 * out_buf  caller's buffer; the ABI carries no size, so the library never writes more than
 *          NATIONEC_OUT_MAX bytes including the terminating NUL. An answer that would not fit is
 *          replaced by an error answer (code -5) that does.
 * returns  a constant status string: "0000" when out_buf holds the service's answer (whose own "code"
 *          may still be non-zero), another NATIONEC_ST_* code when out_buf holds an error answer made
 *          by the library itself: {"code": <negative>, "message": ..., "data": null, "extra": {...}}.
 *
 * Thread safety: every call works on its own heap/stack buffers; only the status strings are shared.
 * Environment (read on every call): NATIONEC_CONNECT_TIMEOUT_MS (3000), NATIONEC_READ_TIMEOUT_MS (15000),
 * vendor mode: NATIONEC_SCANNER (serial device), NATIONEC_SCANNER_BAUD (9600), NATIONEC_SCAN_TIMEOUT_MS
 * (30000).
 */
#ifndef NATIONEC_H
#define NATIONEC_H

#ifdef _WIN32
#  define NATIONEC_API __declspec(dllexport)
#  define NATIONEC_CALL __stdcall
#else
#  define NATIONEC_API __attribute__((visibility("default")))
#  define NATIONEC_CALL
#endif

/* Bytes of out_buf the library may write, terminator included. */
#define NATIONEC_OUT_MAX 20480

/* Status strings (the first is the one public integrations show; the others are this build's). */
#define NATIONEC_ST_OK        "0000"
#define NATIONEC_ST_CONNECT   "1001" /* service unreachable: nothing was sent */
#define NATIONEC_ST_TIMEOUT   "1002" /* sent, no (complete) answer in time */
#define NATIONEC_ST_HTTP      "1003" /* HTTP status other than 200 */
#define NATIONEC_ST_TOO_LARGE "1004" /* answer longer than NATIONEC_OUT_MAX - 1 bytes */
#define NATIONEC_ST_GARBAGE   "1005" /* answer is not a JSON object / not valid text */
#define NATIONEC_ST_CHARSET   "1006" /* request is not valid text in the library charset */
#define NATIONEC_ST_ARGUMENT  "1007" /* bad url / request */
#define NATIONEC_ST_SCAN      "1008" /* vendor mode: scanner failed, cancelled or timed out */

/* Codes of the library's own error answers. */
#define NATIONEC_E_UNREACHABLE (-1)
#define NATIONEC_E_SCAN_CANCELLED (-2)
#define NATIONEC_E_TIMEOUT (-3)
#define NATIONEC_E_BAD_ANSWER (-4)
#define NATIONEC_E_TOO_LARGE (-5)
#define NATIONEC_E_BAD_REQUEST (-6)
#define NATIONEC_E_SCANNER (-7)

#ifdef __cplusplus
extern "C" {
#endif

NATIONEC_API const char *NATIONEC_CALL NationEcTrans(const char *url, const char *in_json, char *out_buf);

/* EcQuery: the two-argument export some provinces ship instead (PROTOCOL.md §2b). The vendor's reads its
 * service URL from its own configuration; this reference build reads NATIONEC_URL (default
 * NATIONEC_DEFAULT_URL) and otherwise behaves exactly as NationEcTrans, status string included. */
#define NATIONEC_DEFAULT_URL "http://127.0.0.1:8765/localcfc/api/hsecfc/localQrCodeQuery"
NATIONEC_API const char *NATIONEC_CALL EcQuery(const char *in_json, char *out_buf);

#ifdef __cplusplus
}
#endif

#endif
