/*
 * httpcloak.h - the C ABI of libhttpcloak, the Go engine behind the Python package.
 *
 * This header is the contract. The Go exports include it, so the C compiler rejects any
 * export whose signature drifts from it; the Python package feeds the declarations between
 * the HC_CDEF markers to cffi, so Python reads the same list.
 *
 * Conventions
 *  - Input pointers are only read, and only during the call (cgo cannot export const).
 *  - Handles are positive 64-bit ids from a table, never pointers. An unknown, closed or
 *    forged handle fails with HC_ERR_CLOSED; it never crashes.
 *  - Every fallible call takes an hc_error out-param. On failure it sets err->kind (never
 *    HC_OK) and err->message (the Go reason, NUL-terminated, cut to fit). On success it
 *    sets err->kind = HC_OK. err may not be NULL.
 *  - Byte strings cross as (pointer, length): JSON for options and metadata, raw bytes for
 *    bodies. Nothing is NUL-terminated but err->message.
 *  - Memory handed out by Go (only *out of hc_stream_meta, hc_stream_trailers,
 *    hc_session_call, hc_call and hc_local_proxy_call) is freed
 *    exactly once with hc_free. Nothing else is ever freed by the caller.
 *  - No call blocks longer than its wait_ms argument (plus scheduling noise), so the caller
 *    keeps control: it can answer Ctrl-C or cancel from another thread between calls. The
 *    one exception is opted into: with an interrupt check registered, hc_stream_meta may
 *    run the exchange itself and then calls the check at least every 100 ms instead.
 */
#ifndef HTTPCLOAK_H
#define HTTPCLOAK_H

#include <stdint.h>

/* HC_CDEF_BEGIN */

/* Bumped whenever a declaration below changes meaning or shape. */
#define HC_ABI_VERSION 12

/* Error kinds: stable numbers shared with httpcloak/_ffi.py. */
enum hc_kind {
    HC_OK = 0,
    HC_ERR_INVALID_ARGUMENT = 1, /* bad URL, option, header, handle type, length */
    HC_ERR_CLOSED = 2,           /* unknown or closed session/stream handle */
    HC_ERR_DNS = 3,              /* host name did not resolve */
    HC_ERR_CONNECT = 4,          /* TCP/QUIC connection refused, reset or unreachable */
    HC_ERR_TLS = 5,              /* handshake failed, certificate not trusted */
    HC_ERR_PROXY = 6,            /* the proxy refused, failed or could not be reached */
    HC_ERR_CONNECT_TIMEOUT = 7,  /* no response headers within the connect timeout */
    HC_ERR_READ_TIMEOUT = 8,     /* the body was silent longer than the read timeout */
    HC_ERR_TRUNCATED = 9,        /* body ended before Content-Length / the last chunk */
    HC_ERR_PROTOCOL = 10,        /* malformed HTTP, bad compressed data, stream reset */
    HC_ERR_CANCELED = 11,        /* hc_stream_cancel was called */
    HC_ERR_TOO_MANY_REDIRECTS = 12,
    HC_ERR_INTERNAL = 13,        /* a recovered panic or a bug: please report */
    HC_ERR_TOTAL_TIMEOUT = 14    /* the whole exchange outlived the total timeout */
};

#define HC_ERROR_MESSAGE_SIZE 1024

typedef struct hc_error {
    int32_t kind;                         /* enum hc_kind */
    char message[1024];  /* HC_ERROR_MESSAGE_SIZE bytes, NUL-terminated reason */
} hc_error;

/* Return values of hc_stream_read besides a positive byte count. */
#define HC_READ_EOF 0
#define HC_READ_ERROR -1
#define HC_READ_PENDING -2

/* wait_ms of hc_stream_read for an event loop: do not wait, and when nothing is there yet
 * arm the stream as hc_stream_arm does, in the same call. */
#define HC_WAIT_ARM -1

/* hc_stream_open's body_len for a body written later with hc_stream_write. */
#define HC_BODY_STREAMED -1
/* hc_stream_write: the server answered (or the exchange ended) before the body was sent. */
#define HC_WRITE_RESPONDED -3

/* HC_ABI_VERSION of the loaded library. Never fails. */
int32_t hc_abi_version(void);

/* Create a session from JSON options (see go/abi_options.go for the fields).
 * Returns a session handle > 0, or 0 with err set. */
int64_t hc_session_new(char *options_json, int64_t options_len, hc_error *err);

/* Close a session and every stream still open on it. Idempotent on a valid handle that was
 * already closed: returns 0. Returns -1 with HC_ERR_CLOSED for a handle never issued. */
int32_t hc_session_close(int64_t session, hc_error *err);

/* One session operation that is not on the hot path (cookie jar edits, runtime settings,
 * saving state): call_json is {"op": name, "args": {...}}; the operations and their
 * arguments are listed in go/ops.go. On success returns the length of the JSON result
 * and sets *out to memory the caller frees with hc_free; on failure returns -1. An unknown
 * op or a misspelt argument is an error of kind HC_ERR_INVALID_ARGUMENT. */
int64_t hc_session_call(int64_t session, char *call_json, int64_t call_len, char **out,
                        hc_error *err);

/* One process-wide operation, not tied to a session (registering or unregistering a JSON
 * preset): call_json is {"op": name, "args": {...}}; the operations are listed in
 * go/ops.go. Results, errors and memory as for hc_session_call. */
int64_t hc_call(char *call_json, int64_t call_len, char **out, hc_error *err);

/* A local HTTP proxy on 127.0.0.1 that sends other clients' requests out through a session
 * (its fingerprint, jar and timeouts). options_json: {"port" (0: any free port),
 * "session" (the handle of the default session, which the caller keeps open),
 * "timeout":{"connect","read","total"}, "max_connections" (0: no limit), "tls_only",
 * "tcp_proxy" (for CONNECT tunnels)}. Returns a proxy handle > 0, or 0 with err set. */
int64_t hc_local_proxy_start(char *options_json, int64_t options_len, hc_error *err);

/* {"op","args"} on a local proxy: "stats" -> {"running","port","active_connections",
 * "total_requests","tunnels","failures","sessions"}; "register" {"session_id","session"}
 * -> true; "unregister" {"session_id"} -> whether it was there; "sessions" -> [ids].
 * Result and freeing as for hc_session_call. */
int64_t hc_local_proxy_call(int64_t proxy, char *call_json, int64_t call_len, char **out,
                            hc_error *err);

/* Stop listening and drop the proxy's connections. Idempotent like hc_session_close. */
int32_t hc_local_proxy_close(int64_t proxy, hc_error *err);

/* Start a request. request_json holds {"method" (an HTTP token, required),"url",
 * "headers":[[name,value],...],
 * "timeout":{"connect","read","total"} (seconds, optional),"allow_redirects",
 * "max_redirects","content_length" (streamed bodies only, optional),"on_redirect" (optional,
 * see hc_stream_meta),"drop_headers":[name,...]
 * (optional: header names, HTTP tokens, matched case-insensitively, that this request does
 * not send at all: removed after "headers" is merged over the session's and preset's
 * headers, and again on every redirect hop, the jar's cookie header included)}; body/body_len the
 * request body (body may be NULL when body_len is 0), copied before return. With body_len
 * HC_BODY_STREAMED the body is written afterwards with hc_stream_write and ended with
 * hc_stream_write_close (sent chunked on HTTP/1.1 unless content_length is given).
 * Returns a stream handle > 0 at once, without waiting for the network, or 0 with err set
 * (bad argument, closed session). The request goes out at once, except one that may run on
 * the waiting thread (see hc_stream_meta): that one goes out at the first call on its
 * stream (a wait for the headers runs it there; a read, a watch or a wait of 0 ms starts
 * it in the library). Closing or cancelling such a stream before that sends nothing. */
int64_t hc_stream_open(int64_t session, char *request_json, int64_t request_len,
                       uint8_t *body, int64_t body_len, hc_error *err);

/* hc_stream_open of the most common request, without JSON: no body, no headers or switches
 * of its own. method/method_len and url/url_len are UTF-8 (not NUL-terminated);
 * connect_s, read_s and total_s the timeouts in seconds as "timeout" gives them, a
 * negative one meaning none (null); allow_redirects 0 or 1; max_redirects >= 0. The same
 * as hc_stream_open of {"method","url","headers":[],"timeout":{...},"allow_redirects",
 * "max_redirects"} with body_len 0, and the same errors. */
int64_t hc_stream_open_plain(int64_t session, char *method, int64_t method_len, char *url,
                             int64_t url_len, double connect_s, double read_s,
                             double total_s, int32_t allow_redirects, int64_t max_redirects,
                             hc_error *err);

/* hc_stream_open without the copy, for large bodies: the engine reads body (body_len > 0
 * bytes, never HC_BODY_STREAMED) from the caller's memory, from its start again for a
 * retry or a 307/308 redirect. The caller keeps it valid and unchanged until
 * hc_stream_close of this stream returns (or hc_session_close of its session): from then
 * on the library never touches it (a send still under way fails). */
int64_t hc_stream_open_borrowed(int64_t session, char *request_json, int64_t request_len,
                                uint8_t *body, int64_t body_len, hc_error *err);

/* Wait up to wait_ms for the response headers. Returns 1 and sets *out and *out_len to JSON
 * {"status","reason","proto","headers":[[n,v]...] (in the order received, names lowercase),
 * "wire_names":[...] (optional: each header's name as received),"content_length","url",
 * "history":[...]}
 * or, for a request opened with "on_redirect": true while a redirect waits for the
 * caller, {"redirect":{"hop","status","headers","from","to","method","cross_origin",
 * "downgrade"}}, answered with the hc_call op "redirect.decide" (or by closing the stream)
 * (free *out with hc_free); 0 if they have not arrived yet; -1 with err set if the request
 * failed.
 * With an interrupt check registered (hc_set_interrupt_check) and wait_ms > 0, the first
 * call may run the exchange on the calling thread (no hand-off to the library's threads
 * and back: a plain http:// request without a body or redirect hook, before any other
 * call on the stream): it then returns when the headers arrive or the request fails,
 * calling the check at least every 100 ms meanwhile; the check's nonzero answer fails the
 * request with HC_ERR_CANCELED. Cancel and close from another thread end it as always. */
int32_t hc_stream_meta(int64_t stream, int32_t wait_ms, char **out, int64_t *out_len,
                       hc_error *err);

/* Copy up to cap bytes of the (decoded) body into buf, waiting up to wait_ms for data.
 * Returns >0 bytes copied (whatever has arrived, never waiting to fill buf),
 * HC_READ_EOF when the body ended cleanly, HC_READ_PENDING when nothing arrived within
 * wait_ms, HC_READ_ERROR with err set otherwise. An error is sticky: later reads repeat it.
 * A failure is never reported as EOF. */
int64_t hc_stream_read(int64_t stream, uint8_t *buf, int64_t cap, int32_t wait_ms,
                       hc_error *err);

/* The trailer fields of a response whose body was read to its end (hc_stream_read
 * returned HC_READ_EOF): 1 with JSON [[name, value], ...] in *out (free *out with hc_free),
 * 0 when it has none (*out untouched: most responses, so no JSON either way), -1 with err
 * set (the body was not read to its end, or the stream is closed). */
int32_t hc_stream_trailers(int64_t stream, char **out, int64_t *out_len, hc_error *err);

/* Queue len bytes of a streamed request body (copied), waiting up to wait_ms for room.
 * Returns len when taken, HC_READ_PENDING when there was no room within wait_ms,
 * HC_WRITE_RESPONDED when the server answered first (stop writing; read the response),
 * or HC_READ_ERROR with err set (the exchange failed: err says why). */
int64_t hc_stream_write(int64_t stream, uint8_t *buf, int64_t len, int32_t wait_ms,
                        hc_error *err);

/* End a streamed request body. Returns 0, or -1 with err set. A body ended short of its
 * content_length is not sent as whole: the exchange is aborted and its metadata or next read
 * fails with HC_ERR_PROTOCOL. */
int32_t hc_stream_write_close(int64_t stream, hc_error *err);

/* Event loops (asyncio): one notifier serves many streams without a thread per stream.
 * hc_notifier_new returns a notifier handle and sets *fd_out to a descriptor to watch for
 * readability (loop.add_reader): one end of a socket pair, a SOCKET handle on Windows (where
 * a proactor loop reads it instead, with loop.sock_recv; a byte read there is simply a
 * wake-up); it is owned by the library, closed by hc_notifier_close.
 * A stream given to hc_stream_watch reports to that notifier. Poll with wait_ms 0; on
 * "nothing yet" (hc_stream_meta 0, hc_stream_read HC_READ_PENDING) call hc_stream_arm (a read
 * with wait_ms HC_WAIT_ARM has done that already), then
 * wait for the descriptor: once the stream has news (headers, data, room for more of a
 * streamed body, the end, an error, a cancel or close) its id is put on the ready list,
 * which hc_notifier_drain copies into ids
 * (at most cap; returns the count, and empties the descriptor). Wake-ups can be spurious:
 * poll again. Returns: handle > 0 or 0; count >= 0 or -1; 0 or -1; err set on failure. */
int64_t hc_notifier_new(int32_t *fd_out, hc_error *err);
int64_t hc_notifier_drain(int64_t notifier, int64_t *ids, int64_t cap, hc_error *err);
void    hc_notifier_close(int64_t notifier);
int32_t hc_stream_watch(int64_t stream, int64_t notifier, hc_error *err);
int32_t hc_stream_arm(int64_t stream, hc_error *err);

/* Abort the stream from any thread: a blocked or later read fails with HC_ERR_CANCELED.
 * The handle stays valid until hc_stream_close. Unknown handles are ignored. */
void hc_stream_cancel(int64_t stream);

/* Release the stream. A body not read to the end is drained when the remainder is small
 * (at most 256 KiB on HTTP/1.1, so the connection is reused; this waits at most 100 ms,
 * then goes on in the background for up to 2 s) and aborted otherwise (on HTTP/2 and
 * HTTP/3 only this stream is reset).
 * Returns 0, or -1 with HC_ERR_CLOSED for an unknown or already closed handle. */
int32_t hc_stream_close(int64_t stream, hc_error *err);

/* Every preset as JSON [{"name","alias_of","engine_profile","headers":[[n,v]...]}...];
 * free with hc_free. Returns the length, or -1 with err set. */
int64_t hc_presets(char **out, hc_error *err);

/* Live counts as JSON {"sessions","streams","notifiers","goroutines"}; free with hc_free. */
int64_t hc_stats(char **out, hc_error *err);

/* A TLS session cache shared beyond this process (Redis, memcached...): the caller's
 * functions, called from the library's own threads (never the caller's), any time after
 * registration and from several threads at once. key is "httpcloak:sessions:<ClientHello
 * id>:<server name>", value a JSON text {"ticket","state","created_at"} (see
 * go/internal/ticketcache/shared.go); neither is NUL-terminated, both are valid only during
 * the call.
 *  get:    copy the value into buf (cap bytes) and return its length; return -1 when
 *          there is none; a value longer than cap: return its length without copying,
 *          and the library asks once more with a buffer that large (at most 1 MiB).
 *  put:    store value for ttl_seconds. put and delete run in the background.
 *  del:    forget key (the server refused its ticket).
 *  on_error: a failure the library saw (op "get", "put" or "delete": timed out, value
 *          malformed, too many calls in flight); may be NULL.
 * A get that does not answer within the timeout is a miss; the library goes on without
 * waiting for it (so the functions must stay callable for the life of the process). */
typedef int64_t (*hc_cache_get_fn)(char *key, int64_t key_len, uint8_t *buf, int64_t cap);
typedef void (*hc_cache_put_fn)(char *key, int64_t key_len, uint8_t *value, int64_t value_len,
                                int64_t ttl_seconds);
typedef void (*hc_cache_delete_fn)(char *key, int64_t key_len);
typedef void (*hc_cache_error_fn)(char *op, int64_t op_len, char *key, int64_t key_len,
                                  char *message, int64_t message_len);

/* Register the process-wide session cache backend: every session whose ClientHello can
 * resume TLS (pre_shared_key) asks it for a ticket it does not hold and gives it each new
 * one. options_json: {"timeout": seconds a get may take (default 1), "ttl": seconds passed
 * to put (default 86400)}. get, put and del all NULL unregister the backend; that waits
 * up to the timeout for puts and deletes still running. Otherwise all three must be set.
 * Returns 0, or -1 with err set. */
int32_t hc_session_cache_configure(hc_cache_get_fn get, hc_cache_put_fn put,
                                   hc_cache_delete_fn del, hc_cache_error_fn on_error,
                                   char *options_json, int64_t options_len, hc_error *err);

/* A caller's interrupt check (see hc_stream_meta): called on the thread that waits, with
 * nothing held; nonzero when that thread was interrupted (in Python: a signal handler
 * raised) and the exchange must end. */
typedef int32_t (*hc_interrupt_check_fn)(void);

/* Register the process-wide interrupt check; NULL unregisters it (exchanges then run on
 * the library's threads only). The function must stay callable until unregistered. */
void hc_set_interrupt_check(hc_interrupt_check_fn check);

/* Free memory that this library handed out. NULL is ignored. */
void hc_free(void *p);

/* HC_CDEF_END */

#endif /* HTTPCLOAK_H */
