/* A minimal HTTP/1.1 client: one POST, Connection: close, connect and read deadlines with poll()
 * (Winsock2 on Windows: select(), which reports a failed non-blocking connect where WSAPoll may not). */
#include "nationec.h"
#include "ec_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
typedef SOCKET ec_sock;
typedef int ec_ssize;
#define EC_BAD_SOCK INVALID_SOCKET
#define sock_close closesocket
#define sock_errno() WSAGetLastError()
#define EC_EINTR WSAEINTR
#define EC_EAGAIN WSAEWOULDBLOCK
#define EC_EINPROGRESS WSAEWOULDBLOCK /* what a non-blocking connect() reports there */
#define EC_ETIMEDOUT WSAETIMEDOUT
#define MSG_NOSIGNAL 0 /* no SIGPIPE on Windows */
#define strncasecmp _strnicmp
#else
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
typedef int ec_sock;
typedef ssize_t ec_ssize;
#define EC_BAD_SOCK (-1)
#define sock_close close
#define sock_errno() errno
#define EC_EINTR EINTR
#define EC_EAGAIN EAGAIN
#define EC_EINPROGRESS EINPROGRESS
#define EC_ETIMEDOUT ETIMEDOUT
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* BSD/macOS: SIGPIPE is avoided with SO_NOSIGPIPE below */
#endif
#endif

/* Wait until fd is readable (or writable): 1 ready, 0 timed out, -1 interrupted or failed. */
static int wait_fd(ec_sock fd, int for_write, int ms)
{
#ifdef _WIN32
    fd_set set, failed;
    struct timeval tv;
    FD_ZERO(&set);
    FD_ZERO(&failed);
    FD_SET(fd, &set);
    FD_SET(fd, &failed); /* a refused connect() shows here, not as writable */
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    return select(0, for_write ? NULL : &set, for_write ? &set : NULL, &failed, &tv) > 0 ? 1 : 0;
#else
    struct pollfd pfd;
    int rc;
    pfd.fd = fd;
    pfd.events = for_write ? POLLOUT : POLLIN;
    pfd.revents = 0;
    rc = poll(&pfd, 1, ms);
    return rc < 0 ? -1 : rc > 0;
#endif
}

typedef struct {
    char host[256];
    char port[8];
    char path[2048];
} ec_url;

static int remaining(long long deadline)
{
    long long left = deadline - ec_now_ms();
    return left < 0 ? 0 : (int)left;
}

static int parse_url(const char *url, ec_url *u, ec_error *err)
{
    const char *p, *host_end, *port_start = NULL;
    size_t hlen;
    if (strncasecmp(url, "http://", 7) != 0) {
        ec_fail(err, NATIONEC_E_BAD_REQUEST, NATIONEC_ST_ARGUMENT, "服务地址无效（仅支持http://）", "url must start with http://");
        return -1;
    }
    p = url + 7;
    if (*p == '[') { /* IPv6 literal */
        host_end = strchr(p, ']');
        if (host_end == NULL)
            goto bad;
        p++;
        hlen = (size_t)(host_end - p);
        host_end++;
    } else {
        host_end = p + strcspn(p, ":/?#");
        hlen = (size_t)(host_end - p);
    }
    if (hlen == 0 || hlen >= sizeof u->host)
        goto bad;
    memcpy(u->host, p, hlen);
    u->host[hlen] = '\0';
    if (*host_end == ':')
        port_start = host_end + 1;
    p = port_start ? port_start + strspn(port_start, "0123456789") : host_end;
    if (port_start) {
        size_t plen = (size_t)(p - port_start);
        if (plen == 0 || plen > 5)
            goto bad;
        memcpy(u->port, port_start, plen);
        u->port[plen] = '\0';
    } else {
        strcpy(u->port, "80");
    }
    if (*p == '\0') {
        strcpy(u->path, "/");
    } else if (*p == '/') {
        size_t n = strcspn(p, "#");
        if (n >= sizeof u->path)
            goto bad;
        memcpy(u->path, p, n);
        u->path[n] = '\0';
        if (strpbrk(u->path, " \r\n\t") != NULL)
            goto bad;
    } else {
        goto bad;
    }
    return 0;
bad:
    ec_fail(err, NATIONEC_E_BAD_REQUEST, NATIONEC_ST_ARGUMENT, "服务地址无效", "cannot parse url");
    return -1;
}

static ec_sock open_connection(const ec_url *u, long long deadline, ec_error *err)
{
    struct addrinfo hints, *res = NULL, *ai;
    int rc, last_errno = 0;
    ec_sock fd = EC_BAD_SOCK;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(u->host, u->port, &hints, &res);
    if (rc != 0) {
        ec_fail(err, NATIONEC_E_UNREACHABLE, NATIONEC_ST_CONNECT, "医保电子凭证服务无法连接",
                "cannot resolve %.120s (getaddrinfo %d)", u->host, rc);
        return EC_BAD_SOCK;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int soerr = 0;
        socklen_t slen = sizeof soerr;
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd == EC_BAD_SOCK) {
            last_errno = sock_errno();
            continue;
        }
#ifdef _WIN32
        {
            u_long on = 1; /* sockets are not inherited by default there */
            ioctlsocket(fd, FIONBIO, &on);
        }
#else
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
#endif
#ifdef SO_NOSIGPIPE
        {
            int one = 1;
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
        }
#endif
        if (connect(fd, ai->ai_addr, (socklen_t)ai->ai_addrlen) == 0)
            break;
        last_errno = sock_errno();
        if (last_errno == EC_EINPROGRESS) {
            do {
                rc = wait_fd(fd, 1, remaining(deadline));
            } while (rc < 0 && sock_errno() == EC_EINTR);
            if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, (char *)&soerr, &slen) == 0 && soerr == 0)
                break;
            last_errno = rc == 0 ? EC_ETIMEDOUT : (soerr ? soerr : sock_errno());
        }
        sock_close(fd);
        fd = EC_BAD_SOCK;
    }
    freeaddrinfo(res);
    if (fd == EC_BAD_SOCK)
        ec_fail(err, NATIONEC_E_UNREACHABLE, NATIONEC_ST_CONNECT, "医保电子凭证服务无法连接",
                "connect %.120s:%s failed (errno %d%s)", u->host, u->port, last_errno,
                last_errno == EC_ETIMEDOUT ? ", timed out" : "");
    return fd;
}

static int send_all(ec_sock fd, const char *buf, size_t n, long long deadline, ec_error *err)
{
    while (n > 0) {
        ec_ssize w;
        int rc = wait_fd(fd, 1, remaining(deadline));
        if (rc < 0 && sock_errno() == EC_EINTR)
            continue;
        if (rc <= 0) {
            ec_fail(err, NATIONEC_E_TIMEOUT, NATIONEC_ST_TIMEOUT, "医保电子凭证服务应答超时", "send timed out");
            return -1;
        }
        w = send(fd, buf, (int)(n > 65536 ? 65536 : n), MSG_NOSIGNAL);
        if (w < 0) {
            int e = sock_errno();
            if (e == EC_EINTR || e == EC_EAGAIN)
                continue;
            ec_fail(err, NATIONEC_E_TIMEOUT, NATIONEC_ST_TIMEOUT, "医保电子凭证服务连接中断", "send failed (errno %d)", e);
            return -1;
        }
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Find the end of the header block; returns the body offset or 0 when not complete yet. */
static size_t header_end(const char *buf, size_t n)
{
    size_t i;
    for (i = 3; i < n; i++)
        if (buf[i - 3] == '\r' && buf[i - 2] == '\n' && buf[i - 1] == '\r' && buf[i] == '\n')
            return i + 1;
    return 0;
}

/* Value of header name (case-insensitive) inside the header block, copied into out. */
static int header_value(const char *head, size_t head_len, const char *name, char *out, size_t cap)
{
    const char *p = head, *end = head + head_len;
    size_t nlen = strlen(name);
    while (p < end) {
        const char *eol = p;
        while (eol < end && *eol != '\n')
            eol++;
        if ((size_t)(eol - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            size_t len;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            len = (size_t)(eol - v);
            while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == ' '))
                len--;
            if (len >= cap)
                len = cap - 1;
            memcpy(out, v, len);
            out[len] = '\0';
            return 1;
        }
        p = eol + 1;
    }
    return 0;
}

/* Decode a chunked body in place; returns the decoded length or -1. */
static long dechunk(char *body, size_t n)
{
    size_t in = 0, out = 0;
    for (;;) {
        char *endp;
        unsigned long size;
        size_t line_end = in;
        while (line_end + 1 < n && !(body[line_end] == '\r' && body[line_end + 1] == '\n'))
            line_end++;
        if (line_end + 1 >= n)
            return -1;
        body[line_end] = '\0';
        size = strtoul(body + in, &endp, 16);
        if (endp == body + in)
            return -1;
        in = line_end + 2;
        if (size == 0)
            return (long)out;
        if (size > n - in || n - in - size < 2)
            return -1;
        memmove(body + out, body + in, size);
        out += size;
        in += size + 2;
    }
}

static int http_post(const char *url, const char *body, size_t body_len, char **resp, size_t *resp_len,
                     ec_error *err)
{
    ec_url u;
    char head[2560 + 512];
    char value[64];
    char *buf = NULL;
    size_t cap = EC_HEAD_MAX + EC_BODY_MAX + 2, len = 0, body_at = 0;
    long content_length = -1;
    int n, status = 0, chunked = 0, too_large = 0;
    ec_sock fd;
    long long deadline;

    if (parse_url(url, &u, err) != 0)
        return -1;
    deadline = ec_now_ms() + ec_env_ms("NATIONEC_CONNECT_TIMEOUT_MS", 3000);
    fd = open_connection(&u, deadline, err);
    if (fd == EC_BAD_SOCK)
        return -1;
    deadline = ec_now_ms() + ec_env_ms("NATIONEC_READ_TIMEOUT_MS", 15000);
    n = snprintf(head, sizeof head,
                 "POST %s HTTP/1.1\r\nHost: %s%s%s:%s\r\nContent-Type: application/json;charset=utf-8\r\n"
                 "Accept: application/json\r\nContent-Length: %lu\r\nConnection: close\r\n"
                 "User-Agent: nationec-reference/1.0\r\n\r\n",
                 u.path, strchr(u.host, ':') ? "[" : "", u.host, strchr(u.host, ':') ? "]" : "", u.port,
                 (unsigned long)body_len);
    if (n < 0 || (size_t)n >= sizeof head) {
        sock_close(fd);
        ec_fail(err, NATIONEC_E_BAD_REQUEST, NATIONEC_ST_ARGUMENT, "服务地址无效", "request line too long");
        return -1;
    }
    if (send_all(fd, head, (size_t)n, deadline, err) != 0 || send_all(fd, body, body_len, deadline, err) != 0) {
        sock_close(fd);
        return -1;
    }
    buf = malloc(cap + 1);
    if (buf == NULL) {
        sock_close(fd);
        ec_fail(err, NATIONEC_E_BAD_ANSWER, NATIONEC_ST_GARBAGE, "内存不足", "out of memory");
        return -1;
    }
    for (;;) {
        ec_ssize r;
        int rc;
        if (body_at > 0 && content_length >= 0 && len - body_at >= (size_t)content_length)
            break; /* the whole body is here */
        if (len >= cap) {
            too_large = 1;
            break;
        }
        rc = wait_fd(fd, 0, remaining(deadline));
        if (rc < 0 && sock_errno() == EC_EINTR)
            continue;
        if (rc <= 0) {
            sock_close(fd);
            free(buf);
            ec_fail(err, NATIONEC_E_TIMEOUT, NATIONEC_ST_TIMEOUT, "医保电子凭证服务应答超时",
                    "no complete answer within the read timeout (%lu bytes read)", (unsigned long)len);
            return -1;
        }
        r = recv(fd, buf + len, (int)(cap - len), 0);
        if (r < 0) {
            int e = sock_errno();
            if (e == EC_EINTR || e == EC_EAGAIN)
                continue;
            if (len == 0) {
                sock_close(fd);
                free(buf);
                ec_fail(err, NATIONEC_E_TIMEOUT, NATIONEC_ST_TIMEOUT, "医保电子凭证服务连接中断",
                        "recv failed (errno %d)", e);
                return -1;
            }
            break;
        }
        if (r == 0)
            break; /* the server closed: Connection: close */
        len += (size_t)r;
        if (body_at == 0) {
            body_at = header_end(buf, len);
            if (body_at == 0 && len > EC_HEAD_MAX) {
                body_at = 0;
                break;
            }
            if (body_at > 0) {
                if (header_value(buf, body_at, "Content-Length", value, sizeof value)) {
                    char *endp;
                    content_length = strtol(value, &endp, 10);
                    if (endp == value || content_length < 0)
                        content_length = -1;
                }
                if (header_value(buf, body_at, "Transfer-Encoding", value, sizeof value) &&
                    strncasecmp(value, "chunked", 7) == 0)
                    chunked = 1;
                if (content_length > EC_BODY_MAX) {
                    too_large = 1; /* no need to read it: it cannot fit */
                    break;
                }
            }
        }
    }
    sock_close(fd);
    buf[len] = '\0';
    if (len == 0) {
        free(buf);
        ec_fail(err, NATIONEC_E_TIMEOUT, NATIONEC_ST_TIMEOUT, "医保电子凭证服务未应答", "connection closed without an answer");
        return -1;
    }
    if (body_at == 0 || sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1) {
        free(buf);
        ec_fail(err, NATIONEC_E_BAD_ANSWER, NATIONEC_ST_GARBAGE, "医保电子凭证服务应答无效", "not an HTTP answer");
        return -1;
    }
    if (status == 503) {
        free(buf);
        ec_fail(err, NATIONEC_E_UNREACHABLE, NATIONEC_ST_HTTP, "医保电子凭证服务暂不可用", "HTTP 503");
        return -1;
    }
    if (status != 200) {
        free(buf);
        ec_fail(err, NATIONEC_E_BAD_ANSWER, NATIONEC_ST_HTTP, "医保电子凭证服务应答无效", "HTTP %d", status);
        return -1;
    }
    if (too_large) {
        free(buf);
        ec_fail(err, NATIONEC_E_TOO_LARGE, NATIONEC_ST_TOO_LARGE, "医保电子凭证服务应答过长",
                "answer body over %d bytes on the wire", EC_BODY_MAX);
        return -1;
    }
    len -= body_at;
    memmove(buf, buf + body_at, len);
    if (chunked) {
        long d = dechunk(buf, len);
        if (d < 0) {
            free(buf);
            ec_fail(err, NATIONEC_E_BAD_ANSWER, NATIONEC_ST_GARBAGE, "医保电子凭证服务应答无效", "bad chunked body");
            return -1;
        }
        len = (size_t)d;
    } else if (content_length >= 0) {
        if (len < (size_t)content_length) {
            free(buf);
            ec_fail(err, NATIONEC_E_BAD_ANSWER, NATIONEC_ST_GARBAGE, "医保电子凭证服务应答不完整",
                    "body of %lu bytes, Content-Length %ld", (unsigned long)len, content_length);
            return -1;
        }
        len = (size_t)content_length;
    }
    buf[len] = '\0';
    *resp = buf;
    *resp_len = len;
    return 0;
}

int ec_http_post(const char *url, const char *body, size_t body_len, char **resp, size_t *resp_len,
                 ec_error *err)
{
#ifdef _WIN32
    WSADATA wsa;
    int rc;
    /* Winsock counts starts: one start and one cleanup per call keeps the library free of global state */
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        ec_fail(err, NATIONEC_E_UNREACHABLE, NATIONEC_ST_CONNECT, "医保电子凭证服务无法连接", "WSAStartup failed");
        return -1;
    }
    rc = http_post(url, body, body_len, resp, resp_len, err);
    WSACleanup();
    return rc;
#else
    return http_post(url, body, body_len, resp, resp_len, err);
#endif
}
