#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/bn.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/pem.h>

/* EVP_PKEY_PUBLIC_KEY is built from other macros and does not import into Swift. */
static inline int chaperone_evp_pkey_public_key_selection(void) {
    return EVP_PKEY_PUBLIC_KEY;
}
