/* Vendor mode: the library reads one code from the scan box itself, as vendor libraries do. */
#include "nationec.h"
#include "ec_internal.h"

#include <stdio.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#include <stdlib.h>

/* One line from a COM port (\\.\COM3, or COM3) or a named pipe (\\.\pipe\name: a virtual scan box). */
int ec_scan_code(char *code, size_t cap, ec_error *err)
{
    char dev[256], path[300];
    HANDLE h;
    DCB dcb, saved;
    COMMTIMEOUTS ct, saved_ct;
    int is_com, rc = -1;
    size_t len = 0;
    long long deadline;

    if (ec_getenv("NATIONEC_SCANNER", dev, sizeof dev) == NULL || dev[0] == '\0') {
        ec_fail(err, NATIONEC_E_SCANNER, NATIONEC_ST_SCAN, "未配置扫码设备",
                "vendor mode needs NATIONEC_SCANNER (serial device)");
        return -1;
    }
    /* COM10 and above open only through the device namespace; the short form is what users write */
    snprintf(path, sizeof path, "%s%s", strncmp(dev, "\\\\", 2) == 0 ? "" : "\\\\.\\", dev);
    h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE && GetLastError() == ERROR_ACCESS_DENIED) /* an outbound-only pipe */
        h = CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        ec_fail(err, NATIONEC_E_SCANNER, NATIONEC_ST_SCAN, "扫码设备无法打开", "open %.160s failed (Win32 error %lu)",
                path, (unsigned long)GetLastError());
        return -1;
    }
    memset(&saved, 0, sizeof saved);
    saved.DCBlength = sizeof saved;
    is_com = GetCommState(h, &saved) && GetCommTimeouts(h, &saved_ct);
    if (is_com) { /* raw 8N1, no flow control: bytes as the box sends them */
        dcb = saved;
        dcb.BaudRate = (DWORD)ec_env_ms("NATIONEC_SCANNER_BAUD", 9600);
        dcb.ByteSize = 8;
        dcb.Parity = NOPARITY;
        dcb.StopBits = ONESTOPBIT;
        dcb.fBinary = TRUE;
        dcb.fParity = FALSE;
        dcb.fOutxCtsFlow = dcb.fOutxDsrFlow = FALSE;
        dcb.fOutX = dcb.fInX = FALSE;
        dcb.fDtrControl = DTR_CONTROL_ENABLE;
        dcb.fRtsControl = RTS_CONTROL_ENABLE;
        SetCommState(h, &dcb);
    }
    deadline = ec_now_ms() + ec_env_ms("NATIONEC_SCAN_TIMEOUT_MS", 30000);
    for (;;) {
        char chunk[64];
        DWORD got = 0, i, avail = 0;
        long long left = deadline - ec_now_ms();
        if (left <= 0) {
            ec_fail(err, NATIONEC_E_SCAN_CANCELLED, NATIONEC_ST_SCAN, "扫码已取消/超时", "no code within the scan timeout");
            break;
        }
        if (is_com) {
            /* return as soon as a byte is there, or after the time left (at most 200 ms per read) */
            memset(&ct, 0, sizeof ct);
            ct.ReadIntervalTimeout = MAXDWORD;
            ct.ReadTotalTimeoutMultiplier = MAXDWORD;
            ct.ReadTotalTimeoutConstant = (DWORD)(left < 200 ? left : 200);
            SetCommTimeouts(h, &ct);
        } else {
            /* a pipe: ReadFile would block past the deadline, so wait until bytes are there */
            if (!PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL)) {
                ec_fail(err, NATIONEC_E_SCANNER, NATIONEC_ST_SCAN, "扫码设备已断开", "peek failed (Win32 error %lu)",
                        (unsigned long)GetLastError());
                break;
            }
            if (avail == 0) {
                Sleep(20);
                continue;
            }
        }
        if (!ReadFile(h, chunk, is_com ? (DWORD)sizeof chunk : (avail < sizeof chunk ? avail : (DWORD)sizeof chunk),
                      &got, NULL)) {
            ec_fail(err, NATIONEC_E_SCANNER, NATIONEC_ST_SCAN, "扫码设备已断开", "read failed (Win32 error %lu)",
                    (unsigned long)GetLastError());
            break;
        }
        for (i = 0; i < got; i++) {
            char ch = chunk[i];
            if (ch == '\r' || ch == '\n') {
                if (len == 0)
                    continue; /* the tail of the previous code's CRLF */
                code[len] = '\0';
                rc = 0;
                goto out;
            }
            if (len + 1 >= cap || len >= EC_CODE_MAX) {
                ec_fail(err, NATIONEC_E_SCANNER, NATIONEC_ST_SCAN, "扫码内容过长", "code over %d bytes", EC_CODE_MAX);
                goto out;
            }
            code[len++] = ch;
        }
    }
out:
    if (is_com) {
        SetCommState(h, &saved);
        SetCommTimeouts(h, &saved_ct);
    }
    CloseHandle(h);
    return rc;
}

#else
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
    char devbuf[1024];
    const char *dev = ec_getenv("NATIONEC_SCANNER", devbuf, sizeof devbuf);
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
#endif
