/*
 * Typed wrappers for the C functions and macros that Swift cannot import: the variadic
 * curl_easy_setopt/getinfo, curl_multi_setopt, MHD_start_daemon, MHD_get_*_info and prctl,
 * plus the headers Glibc does not export (epoll, malloc tuning, prctl).
 */
#ifndef CCHAPERONE_H
#define CCHAPERONE_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <curl/curl.h>

/* ---- libcurl: one wrapper per argument type ---------------------------------------- */

typedef size_t (*chaperone_curl_data_cb)(char *data, size_t size, size_t count, void *user);

CURLcode chaperone_easy_set_long(CURL *easy, CURLoption option, long value);
CURLcode chaperone_easy_set_off(CURL *easy, CURLoption option, curl_off_t value);
CURLcode chaperone_easy_set_ptr(CURL *easy, CURLoption option, const void *value);
CURLcode chaperone_easy_set_data_cb(CURL *easy, CURLoption option, chaperone_curl_data_cb cb);
CURLcode chaperone_easy_get_long(CURL *easy, CURLINFO info, long *value);
CURLcode chaperone_easy_get_ptr(CURL *easy, CURLINFO info, void **value);
CURLMcode chaperone_multi_set_long(CURLM *multi, CURLMoption option, long value);
CURLMcode chaperone_multi_set_ptr(CURLM *multi, CURLMoption option, void *value);
CURLMcode chaperone_multi_set_socket_cb(CURLM *multi, curl_socket_callback cb);
CURLMcode chaperone_multi_set_timer_cb(CURLM *multi, curl_multi_timer_callback cb);
CURLcode chaperone_easy_set_closesocket_cb(CURL *easy, curl_closesocket_callback cb);

/*
 * Sets the request method and body of a reused easy handle in one step, clearing whatever the
 * previous request left: HEAD sends no body and expects none; a request with a body sends
 * exactly `length` bytes from `body` (which must outlive the transfer).
 */
CURLcode chaperone_easy_set_method(CURL *easy, const char *method, int has_body,
                                   const void *body, curl_off_t length);

/* Appends the header line "name: value" (or "name:" to suppress a header curl would add). */
struct curl_slist *chaperone_slist_append_header(struct curl_slist *list,
                                                 const char *name, size_t name_length,
                                                 const char *value, size_t value_length);

/* CURL_WRITEFUNC_PAUSE, a macro. */
extern const size_t CHAPERONE_CURL_WRITEFUNC_PAUSE;

/* ---- libmicrohttpd ---------------------------------------------------------------- */

/* The MHD_ContentReaderCallback return values, whose macros carry casts. */
extern const ssize_t CHAPERONE_MHD_READER_END_OF_STREAM;
extern const ssize_t CHAPERONE_MHD_READER_END_WITH_ERROR;
extern const uint64_t CHAPERONE_MHD_SIZE_UNKNOWN;

typedef void *(*chaperone_uri_log_cb)(void *cls, const char *uri, struct MHD_Connection *c);
typedef void (*chaperone_log_sink)(const char *message);

/* Everything MHD_start_daemon needs, as plain fields instead of a variadic option list. */
struct chaperone_mhd_settings {
    unsigned int flags;
    /* Bound and listened on by MHD, with SO_REUSEADDR only, unless has_listen_socket:
     * then listen_socket, already listening, is used instead and address is ignored. */
    const struct sockaddr *address;
    int has_listen_socket;
    int listen_socket;
    unsigned int connection_limit;
    unsigned int connection_timeout_seconds;
    size_t connection_memory_limit;
    unsigned int listen_backlog;
    MHD_AccessHandlerCallback handler;
    void *handler_cls;
    MHD_RequestCompletedCallback completed;
    void *completed_cls;
    MHD_NotifyConnectionCallback notify_connection;
    void *notify_connection_cls;
    chaperone_uri_log_cb uri_log;
    void *uri_log_cls;
    chaperone_log_sink log_sink;
};

struct MHD_Daemon *chaperone_mhd_start(const struct chaperone_mhd_settings *settings);
int chaperone_mhd_epoll_fd(struct MHD_Daemon *daemon);
uint16_t chaperone_mhd_bound_port(struct MHD_Daemon *daemon);
/* A new descriptor (close-on-exec) for the daemon's listening socket, or -1. */
int chaperone_mhd_dup_listen_socket(struct MHD_Daemon *daemon);
int chaperone_mhd_connection_fd(struct MHD_Connection *connection);
/* The value the connection-notification callback stored for this connection. */
void *chaperone_mhd_socket_context(struct MHD_Connection *connection);

/* ---- counters ---------------------------------------------------------------------- */

/* Relaxed atomic operations on plain 64-bit words, for metrics that every event loop adds to
 * and the admin thread reads. Swift's Atomic cannot be kept in an array. */
static inline void chaperone_counter_add(uint64_t *counter, uint64_t amount) {
    __atomic_fetch_add(counter, amount, __ATOMIC_RELAXED);
}
static inline uint64_t chaperone_counter_load(const uint64_t *counter) {
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}
static inline uint64_t chaperone_counter_exchange(uint64_t *counter, uint64_t value) {
    return __atomic_exchange_n(counter, value, __ATOMIC_RELAXED);
}
static inline void chaperone_counter_max(uint64_t *counter, uint64_t value) {
    uint64_t seen = __atomic_load_n(counter, __ATOMIC_RELAXED);
    while (seen < value && !__atomic_compare_exchange_n(counter, &seen, value, 1,
                                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

/* Reads two longs from a stream (such as /proc/self/statm); returns how many were read. */
int chaperone_read_two_longs(FILE *file, long *first, long *second);

/* ---- process ---------------------------------------------------------------------- */

/* Makes the process non-dumpable: no core file, no ptrace or /proc/PID/mem by other users. */
int chaperone_disable_core_dumps(void);
/* Returns 1 when the process is marked non-dumpable. */
int chaperone_is_dumpable(void);

#endif
