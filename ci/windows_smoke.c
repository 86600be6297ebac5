/* The Windows DLL's smoke test, run under wine by ci/windows_wine.sh: load httpcloak.dll,
 * open a session, stream /stream/10 from the test server over HTTP/1.1 (blocking reads) and
 * over TLS (waiting on the notifier's socket with select(), as an asyncio loop would), see a
 * refused connection come back as HC_ERR_CONNECT, close everything and find nothing live.
 *
 * windows_smoke.exe DLL HTTP_BASE HTTPS_BASE CA_FILE    (exit 0: every check passed)
 */
#include <winsock2.h>
#include <windows.h>
#include <stdio.h>
#include <string.h>

#include "httpcloak.h"

/* Each export through GetProcAddress, typed by its declaration in the header. */
#define EXPORTS(X) X(hc_abi_version) X(hc_session_new) X(hc_session_close) X(hc_stream_open) \
    X(hc_stream_meta) X(hc_stream_read) X(hc_stream_close) X(hc_notifier_new) \
    X(hc_notifier_drain) X(hc_notifier_close) X(hc_stream_watch) X(hc_stream_arm) \
    X(hc_stats) X(hc_free)
#define DECLARE(name) static __typeof__(&name) p_##name;
EXPORTS(DECLARE)

static int passes, failures;

static void check(int ok, const char *what, const hc_error *err)
{
    if (ok) {
        passes++;
        printf("ok: %s\n", what);
        return;
    }
    failures++;
    printf("FAILED: %s", what);
    if (err != NULL && err->kind != HC_OK)
        printf(" (kind %d: %s)", err->kind, err->message);
    printf("\n");
}

static int64_t open_get(int64_t session, const char *url, hc_error *err)
{
    char request[2048];
    snprintf(request, sizeof request, "{\"method\":\"GET\",\"url\":\"%s\"}", url);
    return p_hc_stream_open(session, request, (int64_t)strlen(request), NULL, 0, err);
}

/* The status line of the response headers, waiting for them in 100 ms slices. */
static int wait_status(int64_t stream, hc_error *err)
{
    char *meta = NULL;
    int64_t length = 0;
    for (int tries = 0; tries < 100; tries++) {
        int32_t got = p_hc_stream_meta(stream, 100, &meta, &length, err);
        if (got < 0)
            return -1;
        if (got == 1) {
            int status = 0;
            const char *at = strstr(meta, "\"status\":");
            if (at != NULL)
                status = atoi(at + 9);
            p_hc_free(meta);
            return status;
        }
    }
    return 0;
}

static int count_lines(const uint8_t *data, int64_t n)
{
    int lines = 0;
    for (int64_t i = 0; i < n; i++)
        lines += data[i] == '\n';
    return lines;
}

/* HTTP/1.1 with blocking reads (wait_ms 100, as the Python package reads). */
static void stream_blocking(int64_t session, const char *base)
{
    hc_error err;
    char url[1024];
    snprintf(url, sizeof url, "%s/stream/10", base);
    int64_t stream = open_get(session, url, &err);
    check(stream > 0, "open a stream", &err);
    check(wait_status(stream, &err) == 200, "status 200 over HTTP/1.1", &err);
    uint8_t buf[4096];
    int lines = 0;
    int64_t n;
    while ((n = p_hc_stream_read(stream, buf, sizeof buf, 100, &err)) != HC_READ_EOF) {
        if (n == HC_READ_ERROR)
            break;
        if (n > 0)
            lines += count_lines(buf, n);
    }
    check(n == HC_READ_EOF && lines == 10, "10 lines streamed to a clean end (blocking reads)", &err);
    check(p_hc_stream_close(stream, &err) == 0, "close the stream", &err);
}

/* TLS, never blocking in the library: poll with wait_ms 0, arm, select() on the notifier. */
static void stream_with_notifier(int64_t session, const char *base)
{
    hc_error err;
    int32_t fd = -1;
    int64_t notifier = p_hc_notifier_new(&fd, &err);
    check(notifier > 0 && fd != -1, "a notifier and its socket", &err);
    char url[1024];
    snprintf(url, sizeof url, "%s/stream/10", base);
    int64_t stream = open_get(session, url, &err);
    check(stream > 0 && p_hc_stream_watch(stream, notifier, &err) == 0, "watch a TLS stream", &err);
    uint8_t buf[4096];
    int lines = 0, wakeups = 0;
    int64_t n;
    for (;;) {
        n = p_hc_stream_read(stream, buf, sizeof buf, 0, &err);
        if (n > 0) {
            lines += count_lines(buf, n);
            continue;
        }
        if (n != HC_READ_PENDING)
            break;
        if (p_hc_stream_arm(stream, &err) != 0)
            break;
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET((SOCKET)(intptr_t)fd, &readable);
        struct timeval timeout = {10, 0};
        if (select(0, &readable, NULL, NULL, &timeout) != 1) {
            printf("select on the notifier socket: nothing in 10 s (WSA error %d)\n", WSAGetLastError());
            break;
        }
        int64_t ids[8];
        int64_t ready = p_hc_notifier_drain(notifier, ids, 8, &err);
        wakeups += ready > 0;
        if (ready < 0)
            break;
    }
    check(n == HC_READ_EOF && lines == 10, "10 lines streamed over TLS, woken by the notifier", &err);
    check(wakeups > 0, "the notifier's socket became readable", NULL);
    check(p_hc_stream_close(stream, &err) == 0, "close the TLS stream", &err);
    p_hc_notifier_close(notifier);
}

/* A port nobody listens on: the failure crosses with its kind. */
static void refused(int64_t session)
{
    SOCKET probe = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    struct sockaddr_in address = {0};
    int size = sizeof address;
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(probe, (struct sockaddr *)&address, sizeof address);
    getsockname(probe, (struct sockaddr *)&address, &size);
    closesocket(probe); /* bound, never listening, now free: connecting is refused */
    hc_error err;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", ntohs(address.sin_port));
    int64_t stream = open_get(session, url, &err);
    int status = wait_status(stream, &err);
    check(status == -1 && err.kind == HC_ERR_CONNECT, "a refused connection is HC_ERR_CONNECT", NULL);
    printf("    (kind %d: %s)\n", err.kind, err.message);
    p_hc_stream_close(stream, &err);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s DLL HTTP_BASE HTTPS_BASE CA_FILE\n", argv[0]);
        return 2;
    }
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    HMODULE dll = LoadLibraryA(argv[1]);
    if (dll == NULL) {
        printf("FAILED: LoadLibrary(%s): error %lu\n", argv[1], GetLastError());
        return 1;
    }
#define LOAD(name) \
    if ((p_##name = (__typeof__(&name))(void *)GetProcAddress(dll, #name)) == NULL) { \
        printf("FAILED: the DLL exports no %s\n", #name); \
        return 1; \
    }
    EXPORTS(LOAD)
    check(p_hc_abi_version() == HC_ABI_VERSION, "the DLL's ABI version is the header's", NULL);

    hc_error err;
    char options[2048];
    snprintf(options, sizeof options, "{\"ca_file\":\"%s\"}", argv[4]);
    int64_t session = p_hc_session_new(options, (int64_t)strlen(options), &err);
    check(session > 0, "open a session", &err);
    stream_blocking(session, argv[2]);
    stream_with_notifier(session, argv[3]);
    refused(session);
    check(p_hc_session_close(session, &err) == 0, "close the session", &err);

    char *stats = NULL;
    int64_t length = p_hc_stats(&stats, &err);
    check(length > 0 && strstr(stats, "\"sessions\":0,\"streams\":0,\"notifiers\":0") != NULL,
          "nothing left open", &err);
    if (length > 0) {
        printf("    %.*s\n", (int)length, stats);
        p_hc_free(stats);
    }
    printf("windows smoke: %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
