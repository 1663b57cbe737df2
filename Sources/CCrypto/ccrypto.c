#include "CCrypto.h"

#include <dlfcn.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>

// The libcrypto entry points we use, resolved once from libcrypto.so.3 (the library libcurl's OpenSSL build uses).
static struct {
    EVP_MD_CTX *(*ctx_new)(void);
    void (*ctx_free)(EVP_MD_CTX *);
    const EVP_MD *(*sha256)(void);
    int (*init)(EVP_MD_CTX *, const EVP_MD *, ENGINE *);
    int (*update)(EVP_MD_CTX *, const void *, size_t);
    int (*final)(EVP_MD_CTX *, unsigned char *, unsigned int *);
} crypto;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static bool loaded = false;
static char load_error[512] = "libcrypto was not loaded";

#define RESOLVE(field, name) \
    if (!(*(void **)&crypto.field = dlsym(library, name))) { \
        snprintf(load_error, sizeof load_error, "libcrypto.so.3 has no %s", name); \
        return; \
    }

static void load(void) {
    void *library = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(load_error, sizeof load_error, "cannot load libcrypto.so.3 (install libssl3): %s", dlerror());
        return;
    }
    RESOLVE(ctx_new, "EVP_MD_CTX_new")
    RESOLVE(ctx_free, "EVP_MD_CTX_free")
    RESOLVE(sha256, "EVP_sha256")
    RESOLVE(init, "EVP_DigestInit_ex")
    RESOLVE(update, "EVP_DigestUpdate")
    RESOLVE(final, "EVP_DigestFinal_ex")
    loaded = true;
}

bool ccrypto_load(void) {
    pthread_once(&load_once, load);
    return loaded;
}

const char *ccrypto_load_error(void) { return load_error; }

ccrypto_sha256 *ccrypto_sha256_new(void) {
    if (!ccrypto_load()) return NULL;
    EVP_MD_CTX *context = crypto.ctx_new();
    if (!context) return NULL;
    if (crypto.init(context, crypto.sha256(), NULL) != 1) {
        crypto.ctx_free(context);
        return NULL;
    }
    return (ccrypto_sha256 *)context;
}

void ccrypto_sha256_update(ccrypto_sha256 *hash, const void *bytes, size_t count) {
    crypto.update((EVP_MD_CTX *)hash, bytes, count);
}

void ccrypto_sha256_final(ccrypto_sha256 *hash, unsigned char digest[32]) {
    unsigned int length = 0;
    crypto.final((EVP_MD_CTX *)hash, digest, &length);
}

void ccrypto_sha256_free(ccrypto_sha256 *hash) {
    if (hash) crypto.ctx_free((EVP_MD_CTX *)hash);
}
