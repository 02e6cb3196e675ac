#ifndef HQ_CCURL_SHIM_H
#define HQ_CCURL_SHIM_H
#include <curl/curl.h>

// curl_easy_setopt is variadic and cannot be imported into Swift: one typed wrapper per argument kind.
static inline CURLcode hq_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hq_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hq_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hq_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hq_curl_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*hq_curl_write_cb)(char *, size_t, size_t, void *);
static inline CURLcode hq_curl_setopt_write_cb(CURL *h, CURLoption o, hq_curl_write_cb v) { return curl_easy_setopt(h, o, v); }
typedef int (*hq_curl_xferinfo_cb)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
static inline CURLcode hq_curl_setopt_xferinfo_cb(CURL *h, CURLoption o, hq_curl_xferinfo_cb v) { return curl_easy_setopt(h, o, v); }
typedef curl_socket_t (*hq_curl_opensocket_cb)(void *, curlsocktype, struct curl_sockaddr *);
static inline CURLcode hq_curl_setopt_opensocket_cb(CURL *h, CURLoption o, hq_curl_opensocket_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hq_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode hq_curl_getinfo_off_t(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode hq_curl_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
// curl_multi_setopt is variadic too.
static inline CURLMcode hq_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
// CURLMsg keeps its result in an anonymous union.
static inline CURLcode hq_curl_msg_result(const CURLMsg *m) { return m->data.result; }
#endif
