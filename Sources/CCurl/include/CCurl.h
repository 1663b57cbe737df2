#ifndef CCURL_H
#define CCURL_H

// Types and constants come from libcurl's header; the functions are reached through ccurl_* wrappers that load
// libcurl on first use, so commands that never touch the network (version, completion scripts, build artifact)
// do not pay for loading libcurl and its thirty dependencies at start-up.
#include <stdbool.h>
#include <curl/curl.h>

// Loads libcurl once; false when it cannot be loaded (then ccurl_load_error() says why).
bool ccurl_load(void);
const char *ccurl_load_error(void);
// Call first thing in main (it sets an environment variable, so only while single-threaded): libcurl's load then
// skips GnuTLS's implicit initialisation, which only the protocols we never enable would use.
void ccurl_skip_unused_tls_init(void);

CURLcode ccurl_global_init(long flags);
CURL *ccurl_easy_init(void);
void ccurl_easy_cleanup(CURL *handle);
void ccurl_easy_reset(CURL *handle);
const char *ccurl_easy_strerror(CURLcode code);

CURLM *ccurl_multi_init(void);
CURLMcode ccurl_multi_cleanup(CURLM *multi);
CURLMcode ccurl_multi_add_handle(CURLM *multi, CURL *handle);
CURLMcode ccurl_multi_remove_handle(CURLM *multi, CURL *handle);
CURLMcode ccurl_multi_perform(CURLM *multi, int *running);
CURLMcode ccurl_multi_poll(CURLM *multi, struct curl_waitfd *fds, unsigned int count, int timeout_ms, int *numfds);
CURLMcode ccurl_multi_wakeup(CURLM *multi);
CURLMsg *ccurl_multi_info_read(CURLM *multi, int *queued);

struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *line);
void ccurl_slist_free_all(struct curl_slist *list);

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call; these typed wrappers can.
CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v);
CURLcode ccurl_setopt_ptr(CURL *h, CURLoption o, const void *v);
CURLcode ccurl_setopt_off(CURL *h, CURLoption o, curl_off_t v);
// Callbacks are passed as typed function pointers so Swift can hand over @convention(c) closures.
CURLcode ccurl_setopt_write_callback(CURL *h, CURLoption o, curl_write_callback f);
CURLcode ccurl_setopt_read_callback(CURL *h, CURLoption o, curl_read_callback f);
CURLcode ccurl_setopt_xferinfo_callback(CURL *h, curl_xferinfo_callback f);
// Blob options copy the bytes, so the caller's buffer may go away right after the call.
CURLcode ccurl_setopt_blob(CURL *h, CURLoption o, const void *data, size_t length);
CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v);
CURLcode ccurl_getinfo_string(CURL *h, CURLINFO i, const char **v);

#endif
