// Owning handles for OpenSSL objects and a reader for OpenSSL's error queue,
// shared by the files of the security layer.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace sippay::security {

template <auto free_function>
struct OpensslDeleter {
  template <class T>
  void operator()(T* pointer) const {
    free_function(pointer);
  }
};

using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, OpensslDeleter<X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OpensslDeleter<X509_CRL_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY_free>>;

// Returns OpenSSL's queued error reasons joined by "; " and empties the
// queue, or "no OpenSSL error recorded". The reasons are library messages
// and never contain key bytes.
std::string take_openssl_errors();

// Empties OpenSSL's error queue, so a later failure reports only its own reasons.
void clear_openssl_errors();

// Converts an ASN1_TIME (UTCTime or GeneralizedTime) to a time point; the
// epoch when `time` does not parse.
std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* time);

// A read-only memory BIO over `bytes`, which the caller keeps alive.
BioPtr memory_bio(std::string_view bytes);

// The bytes written so far into a memory BIO.
std::string memory_bio_contents(BIO* bio);

}  // namespace sippay::security
