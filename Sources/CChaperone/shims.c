#include "CChaperone.h"

#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

CURLcode chaperone_easy_set_long(CURL *easy, CURLoption option, long value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode chaperone_easy_set_off(CURL *easy, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode chaperone_easy_set_ptr(CURL *easy, CURLoption option, const void *value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode chaperone_easy_set_data_cb(CURL *easy, CURLoption option, chaperone_curl_data_cb cb) {
    return curl_easy_setopt(easy, option, cb);
}

CURLcode chaperone_easy_get_long(CURL *easy, CURLINFO info, long *value) {
    return curl_easy_getinfo(easy, info, value);
}

CURLcode chaperone_easy_get_ptr(CURL *easy, CURLINFO info, void **value) {
    return curl_easy_getinfo(easy, info, value);
}

CURLMcode chaperone_multi_set_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

CURLMcode chaperone_multi_set_ptr(CURLM *multi, CURLMoption option, void *value) {
    return curl_multi_setopt(multi, option, value);
}

CURLMcode chaperone_multi_set_socket_cb(CURLM *multi, curl_socket_callback cb) {
    return curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, cb);
}

CURLMcode chaperone_multi_set_timer_cb(CURLM *multi, curl_multi_timer_callback cb) {
    return curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, cb);
}

CURLcode chaperone_easy_set_closesocket_cb(CURL *easy, curl_closesocket_callback cb) {
    return curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, cb);
}

CURLcode chaperone_easy_set_method(CURL *easy, const char *method, int has_body,
                                   const void *body, curl_off_t length) {
    /* HTTPGET clears NOBODY, UPLOAD and any earlier POST state of a reused handle. */
    CURLcode rc = curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    if (rc != CURLE_OK) return rc;
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, (char *)NULL);
        return curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    }
    if (has_body) {
        /* A NULL body would make libcurl read the body from a callback (stdin by default). */
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, length);
        rc = curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body != NULL ? body : "");
        if (rc != CURLE_OK) return rc;
        return curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST,
                                strcmp(method, "POST") == 0 ? (char *)NULL : method);
    }
    return curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST,
                            strcmp(method, "GET") == 0 ? (char *)NULL : method);
}

struct curl_slist *chaperone_slist_append_header(struct curl_slist *list,
                                                 const char *name, size_t name_length,
                                                 const char *value, size_t value_length) {
    char small[512];
    size_t length = name_length + 2 + value_length + 1;
    char *line = length <= sizeof small ? small : malloc(length);
    if (line == NULL) return NULL;
    memcpy(line, name, name_length);
    line[name_length] = ':';
    size_t at = name_length + 1;
    if (value != NULL) {
        line[at++] = ' ';
        memcpy(line + at, value, value_length);
        at += value_length;
    }
    line[at] = '\0';
    struct curl_slist *result = curl_slist_append(list, line);
    if (line != small) free(line);
    return result;
}

const size_t CHAPERONE_CURL_WRITEFUNC_PAUSE = CURL_WRITEFUNC_PAUSE;

const ssize_t CHAPERONE_MHD_READER_END_OF_STREAM = MHD_CONTENT_READER_END_OF_STREAM;
const ssize_t CHAPERONE_MHD_READER_END_WITH_ERROR = MHD_CONTENT_READER_END_WITH_ERROR;
const uint64_t CHAPERONE_MHD_SIZE_UNKNOWN = MHD_SIZE_UNKNOWN;

static void chaperone_mhd_log(void *cls, const char *format, va_list ap) {
    chaperone_log_sink sink = (chaperone_log_sink)cls;
    char message[512];
    vsnprintf(message, sizeof message, format, ap);
    sink(message);
}

struct MHD_Daemon *chaperone_mhd_start(const struct chaperone_mhd_settings *s) {
    struct MHD_OptionItem options[16];
    size_t n = 0;
#define ADD(option, value, ptr) options[n++] = (struct MHD_OptionItem){option, (intptr_t)(value), ptr}
    /* The logger goes first so that start-up errors reach it too. */
    if (s->log_sink != NULL) ADD(MHD_OPTION_EXTERNAL_LOGGER, chaperone_mhd_log, (void *)s->log_sink);
    /* MHD_OPTION_LISTENING_ADDRESS_REUSE is left out: MHD then sets SO_REUSEADDR alone, so
     * a restart binds while the last run's connections are in TIME_WAIT, and another
     * process cannot bind the port beside this one, as it could with SO_REUSEPORT. */
    if (s->has_listen_socket) ADD(MHD_OPTION_LISTEN_SOCKET, s->listen_socket, NULL);
    else ADD(MHD_OPTION_SOCK_ADDR, 0, (void *)s->address);
    ADD(MHD_OPTION_CONNECTION_TIMEOUT, s->connection_timeout_seconds, NULL);
    if (s->connection_limit > 0) ADD(MHD_OPTION_CONNECTION_LIMIT, s->connection_limit, NULL);
    if (s->connection_memory_limit > 0)
        ADD(MHD_OPTION_CONNECTION_MEMORY_LIMIT, s->connection_memory_limit, NULL);
    if (s->listen_backlog > 0) ADD(MHD_OPTION_LISTEN_BACKLOG_SIZE, s->listen_backlog, NULL);
    if (s->completed != NULL) ADD(MHD_OPTION_NOTIFY_COMPLETED, s->completed, s->completed_cls);
    if (s->notify_connection != NULL)
        ADD(MHD_OPTION_NOTIFY_CONNECTION, s->notify_connection, s->notify_connection_cls);
    if (s->uri_log != NULL) ADD(MHD_OPTION_URI_LOG_CALLBACK, s->uri_log, s->uri_log_cls);
    ADD(MHD_OPTION_END, 0, NULL);
#undef ADD
    return MHD_start_daemon(s->flags, 0, NULL, NULL, s->handler, s->handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

int chaperone_mhd_epoll_fd(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
    return info == NULL ? -1 : info->epoll_fd;
}

uint16_t chaperone_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

int chaperone_mhd_dup_listen_socket(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_LISTEN_FD);
    return info == NULL || info->listen_fd < 0 ? -1 : fcntl(info->listen_fd, F_DUPFD_CLOEXEC, 0);
}

void *chaperone_mhd_socket_context(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == NULL ? NULL : info->socket_context;
}

int chaperone_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

int chaperone_disable_core_dumps(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int chaperone_is_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
}


int chaperone_read_two_longs(FILE *file, long *first, long *second) {
    return fscanf(file, "%ld %ld", first, second);
}
