// The S/MIME work of a payment endpoint. It seals what the endpoint sends:
// signed with the own key, then enveloped for the recipient's certificate.
// It opens what the endpoint receives: decrypted, then the signer verified
// against the CA and CRL as the claimed sender.
//
// Thread safety: seal() and open() may run on several threads at once.
// They only read a TrustStore and the SignerCredentials. The constructor
// sets up the credentials and nothing changes them later. Each call takes
// a snapshot of the current TrustStore (ReloadableTrustStore::current) and
// uses it to the end, while a CRL reload makes a new TrustStore current
// and never changes one in use. Each call makes its own CMS,
// X509_STORE_CTX and EVP_PKEY_CTX objects and uses the shared X509_STORE,
// certificates and key only through calls that do not modify them, which
// openssl-threads(7) of OpenSSL 3.0 allows. PeerDirectory rereads its
// folder and has a mutex of its own.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "roles/endpoint/endpoint_config.hpp"
#include "roles/endpoint/peer_directory.hpp"
#include "security/cms_signed_data.hpp"
#include "security/reloadable_trust_store.hpp"
#include "security/smime_body.hpp"

namespace sippay::roles {

// A sealed body, or why none could be made.
struct SealedBody {
  std::string content_type;
  std::string der;
  std::string error;  // set on failure, for SendResult::error
};

// The inner content of a received body, or the response that rejects it.
struct OpenedContent {
  int status = 200;  // 200: `content` is valid; otherwise the rejection
  std::string reason;      // reason phrase of the rejection
  std::string log_reason;  // why, for the log line; no secrets
  std::string content;     // the one application/vnd.sippay.payment+json part
  bool signer_verified = true;
};

class EndpointCrypto {
 public:
  // Loads the certificate, key, CA and CRL of `config` and checks that the
  // key and the URI belong to the certificate. Throws ConfigError naming
  // the file or key.
  explicit EndpointCrypto(const EndpointConfig& config);

  // Signs `content` with the own key when `sign` is set, and envelopes it
  // (AuthEnvelopedData) for the certificate of `to_uri` in the peer folder.
  SealedBody seal(const std::string& to_uri, std::string content, bool sign);

  // Decrypts `body` with the own key and verifies its signer as
  // `claimed_sender`. With `accept_unsigned`, an AuthEnvelopedData around
  // unsigned content passes too, with signer_verified false.
  OpenedContent open(std::string_view content_type, std::string_view body, const std::string& claimed_sender,
                     bool accept_unsigned) const;

  const security::SignerCredentials& signer() const { return signer_; }
  // The operator CA and CRL that seal and open use; reload_crl on it
  // affects the calls that start afterwards.
  const std::shared_ptr<security::ReloadableTrustStore>& trust() const { return trust_; }

 private:
  std::filesystem::path peer_folder_;
  std::shared_ptr<security::ReloadableTrustStore> trust_;
  security::SignerCredentials signer_;
  PeerDirectory peers_;
};

}  // namespace sippay::roles
