#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>

// Wrappers for OpenSSL macros that Swift cannot import (function-like macros over SSL_ctrl and
// SSL_CTX_ctrl, and option bits built with SSL_OP_BIT). Used by FerryHTTP's SocketTransport.

/// Sets the TLS server name indication (SSL_set_tlsext_host_name). Returns 1 on success.
static inline int ferry_ssl_set_sni(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// Refuses anything older than TLS 1.2 (SSL_CTX_set_min_proto_version). Returns 1 on success.
static inline int ferry_ssl_ctx_set_min_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

/// SSL_CTX_set_mode: lets a non-blocking SSL_write be retried after the caller's buffer moved.
static inline void ferry_ssl_ctx_set_client_modes(SSL_CTX *ctx) {
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_AUTO_RETRY);
}

/// SSL_OP_IGNORE_UNEXPECTED_EOF: a peer that closes without close_notify reads as a clean end
/// of stream (HTTP framing, not TLS, decides whether a body is complete), and no compression.
static inline void ferry_ssl_ctx_set_client_options(SSL_CTX *ctx) {
    uint64_t options = SSL_OP_NO_COMPRESSION;
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    options |= SSL_OP_IGNORE_UNEXPECTED_EOF;
#endif
    SSL_CTX_set_options(ctx, options);
}
