/* Vendor mode: the library reads one code from the scan box itself, as vendor libraries do. */
#include "nationec.h"
#include "ec_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static speed_t baud(long rate)
{
    switch (rate) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    default: return B9600;
    }
}

int ec_scan_code(char *code, size_t cap, ec_error *err)
{
    const char *dev = getenv("NATIONEC_SCANNER");
    struct termios saved, raw;
    int fd, have_tty;
    size_t len = 0;
    long long deadline;

    if (dev == NULL || *dev == '\0') {
        ec_fail(err, NATIONEC_E_SCANNER, NATIONEC_ST_SCAN, "未配置扫码设备",
                "vendor mode needs NATIONEC_SCANNER (serial device)");
        return -1;
    }
    fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        ec_fail(err, NATIONEC_E_SCANNER, NATIONEC_ST_SCAN, "扫码设备无法打开", "open %.160s failed (errno %d)", dev,
                errno);
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    have_tty = tcgetattr(fd, &saved) == 0;
    if (have_tty) { /* raw 8N1: bytes as the box sends them, no echo, no line editing */
        raw = saved;
        raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        raw.c_oflag &= ~(tcflag_t)OPOST;
        raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        raw.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB);
        raw.c_cflag |= (tcflag_t)(CS8 | CREAD | CLOCAL);
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        cfsetispeed(&raw, baud(ec_env_ms("NATIONEC_SCANNER_BAUD", 9600)));
        cfsetospeed(&raw, baud(ec_env_ms("NATIONEC_SCANNER_BAUD", 9600)));
        tcsetattr(fd, TCSANOW, &raw);
    }
    deadline = ec_now_ms() + ec_env_ms("NATIONEC_SCAN_TIMEOUT_MS", 30000);
    for (;;) {
        struct pollfd pfd;
        char chunk[64];
        ssize_t r, i;
        long long left = deadline - ec_now_ms();
        int rc;
        pfd.fd = fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        rc = poll(&pfd, 1, left < 0 ? 0 : (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc == 0) {
            ec_fail(err, NATIONEC_E_SCAN_CANCELLED, NATIONEC_ST_SCAN, "扫码已取消/超时", "no code within the scan timeout");
            break;
        }
        r = rc < 0 ? -1 : read(fd, chunk, sizeof chunk);
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (r <= 0) {
            /* EOF/hang-up: with nothing pending the box is gone */
            if (r == 0 && !(pfd.revents & (POLLHUP | POLLERR)))
                continue;
            ec_fail(err, NATIONEC_E_SCANNER, NATIONEC_ST_SCAN, "扫码设备已断开", "read failed (errno %d)",
                    r < 0 ? errno : 0);
            break;
        }
        for (i = 0; i < r; i++) {
            char ch = chunk[i];
            if (ch == '\r' || ch == '\n') {
                if (len == 0)
                    continue; /* the tail of the previous code's CRLF */
                code[len] = '\0';
                if (have_tty)
                    tcsetattr(fd, TCSANOW, &saved);
                close(fd);
                return 0;
            }
            if (len + 1 >= cap || len >= EC_CODE_MAX) {
                ec_fail(err, NATIONEC_E_SCANNER, NATIONEC_ST_SCAN, "扫码内容过长", "code over %d bytes", EC_CODE_MAX);
                goto out;
            }
            code[len++] = ch;
        }
    }
out:
    if (have_tty)
        tcsetattr(fd, TCSANOW, &saved);
    close(fd);
    return -1;
}
