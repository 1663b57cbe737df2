#ifndef CCRYPTO_H
#define CCRYPTO_H

// SHA-256 from OpenSSL's libcrypto, loaded on first use like libcurl (see CCurl.h): linking it would make every
// command, `version` and completion included, pay ~0.6 ms at start-up to load and relocate it.
#include <stdbool.h>
#include <stddef.h>

typedef struct ccrypto_sha256 ccrypto_sha256;

// Loads libcrypto once; false when it cannot be loaded (then ccrypto_load_error() says why).
bool ccrypto_load(void);
const char *ccrypto_load_error(void);

// NULL when libcrypto cannot be loaded or the context cannot be allocated.
ccrypto_sha256 *ccrypto_sha256_new(void);
void ccrypto_sha256_update(ccrypto_sha256 *hash, const void *bytes, size_t count);
// Writes the 32-byte digest; the context cannot be updated afterwards.
void ccrypto_sha256_final(ccrypto_sha256 *hash, unsigned char digest[32]);
void ccrypto_sha256_free(ccrypto_sha256 *hash);

#endif
