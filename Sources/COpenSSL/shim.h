#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
// HMAC-SHA256 for webhook signatures, from OpenSSL's libcrypto (already loaded by libcurl).
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif
