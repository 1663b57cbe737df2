#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

// The libcurl entry points we use, resolved once from libcurl.so.4.
static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMcode (*multi_wakeup)(CURLM *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static bool loaded = false;
static char load_error[512] = "libcurl was not loaded";

#define RESOLVE(field, name) \
    if (!(*(void **)&curl.field = dlsym(library, name))) { \
        snprintf(load_error, sizeof load_error, "libcurl.so.4 has no %s", name); \
        return; \
    }

// Debian's libcurl drags in GnuTLS (through librtmp and libldap, protocols we never enable), whose library constructor
// initialises itself and p11-kit on load: ~1.5 ms and ~0.9 MiB we do not need. GnuTLS skips that when
// GNUTLS_NO_IMPLICIT_INIT is set; the variable is set before any thread exists and removed once libcurl is loaded.
static bool skip_gnutls_init_set_here = false;

void ccurl_skip_unused_tls_init(void) {
    if (getenv("GNUTLS_NO_IMPLICIT_INIT") == NULL && setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 0) == 0)
        skip_gnutls_init_set_here = true;
}

static void load(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (skip_gnutls_init_set_here) unsetenv("GNUTLS_NO_IMPLICIT_INIT"); // so child processes never see it
    if (!library) {
        snprintf(load_error, sizeof load_error, "cannot load libcurl.so.4 (install libcurl4): %s", dlerror());
        return;
    }
    RESOLVE(global_init, "curl_global_init")
    RESOLVE(easy_init, "curl_easy_init")
    RESOLVE(easy_cleanup, "curl_easy_cleanup")
    RESOLVE(easy_reset, "curl_easy_reset")
    RESOLVE(easy_strerror, "curl_easy_strerror")
    RESOLVE(easy_setopt, "curl_easy_setopt")
    RESOLVE(easy_getinfo, "curl_easy_getinfo")
    RESOLVE(multi_init, "curl_multi_init")
    RESOLVE(multi_cleanup, "curl_multi_cleanup")
    RESOLVE(multi_add_handle, "curl_multi_add_handle")
    RESOLVE(multi_remove_handle, "curl_multi_remove_handle")
    RESOLVE(multi_perform, "curl_multi_perform")
    RESOLVE(multi_poll, "curl_multi_poll")
    RESOLVE(multi_wakeup, "curl_multi_wakeup")
    RESOLVE(multi_info_read, "curl_multi_info_read")
    RESOLVE(slist_append, "curl_slist_append")
    RESOLVE(slist_free_all, "curl_slist_free_all")
    loaded = true;
}

bool ccurl_load(void) {
    pthread_once(&load_once, load);
    return loaded;
}

const char *ccurl_load_error(void) { return load_error; }

// Every wrapper below runs only after ccurl_load() succeeded (the transport checks it before its first transfer).
CURLcode ccurl_global_init(long flags) { return ccurl_load() ? curl.global_init(flags) : CURLE_FAILED_INIT; }
CURL *ccurl_easy_init(void) { return ccurl_load() ? curl.easy_init() : NULL; }
void ccurl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
void ccurl_easy_reset(CURL *handle) { curl.easy_reset(handle); }
const char *ccurl_easy_strerror(CURLcode code) { return ccurl_load() ? curl.easy_strerror(code) : load_error; }

CURLM *ccurl_multi_init(void) { return ccurl_load() ? curl.multi_init() : NULL; }
CURLMcode ccurl_multi_cleanup(CURLM *multi) { return curl.multi_cleanup(multi); }
CURLMcode ccurl_multi_add_handle(CURLM *multi, CURL *handle) { return curl.multi_add_handle(multi, handle); }
CURLMcode ccurl_multi_remove_handle(CURLM *multi, CURL *handle) { return curl.multi_remove_handle(multi, handle); }
CURLMcode ccurl_multi_perform(CURLM *multi, int *running) { return curl.multi_perform(multi, running); }
CURLMcode ccurl_multi_poll(CURLM *multi, struct curl_waitfd *fds, unsigned int count, int timeout_ms, int *numfds) {
    return curl.multi_poll(multi, fds, count, timeout_ms, numfds);
}
CURLMcode ccurl_multi_wakeup(CURLM *multi) { return curl.multi_wakeup(multi); }
CURLMsg *ccurl_multi_info_read(CURLM *multi, int *queued) { return curl.multi_info_read(multi, queued); }

struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *line) {
    return ccurl_load() ? curl.slist_append(list, line) : NULL;
}
void ccurl_slist_free_all(struct curl_slist *list) { if (list) curl.slist_free_all(list); }

CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v) { return curl.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_write_callback(CURL *h, CURLoption o, curl_write_callback f) { return curl.easy_setopt(h, o, f); }
CURLcode ccurl_setopt_read_callback(CURL *h, CURLoption o, curl_read_callback f) { return curl.easy_setopt(h, o, f); }
CURLcode ccurl_setopt_xferinfo_callback(CURL *h, curl_xferinfo_callback f) {
    return curl.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f);
}
CURLcode ccurl_setopt_blob(CURL *h, CURLoption o, const void *data, size_t length) {
    struct curl_blob blob = { (void *)data, length, CURL_BLOB_COPY };
    return curl.easy_setopt(h, o, &blob);
}
CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl.easy_getinfo(h, i, v); }
CURLcode ccurl_getinfo_string(CURL *h, CURLINFO i, const char **v) { return curl.easy_getinfo(h, i, v); }
