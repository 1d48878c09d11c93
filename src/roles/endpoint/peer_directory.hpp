// The peers' certificates, found by the SIP URI in their subjectAltName: the
// folder `peer_certificates` of EndpointConfig, one PEM certificate per
// file (*.pem, *.crt). A URI not found makes the folder be read again, so a
// certificate added while the role runs is found without a restart.
// find() may run on several threads at once: a mutex serializes lookups
// and rereads.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/certificate.hpp"

namespace sippay::roles {

// Files read from the folder at most; the rest are ignored with a warning.
inline constexpr std::size_t kMaxPeerCertificates = 4096;

class PeerDirectory {
 public:
  explicit PeerDirectory(std::filesystem::path folder);

  // The certificate whose subjectAltName SIP URIs name the entity of `uri`
  // (security::match_sip_identity). Nullopt when none does. When several
  // do (a renewed certificate), the one that expires last.
  std::optional<security::Certificate> find(std::string_view uri);

 private:
  void load();
  std::optional<security::Certificate> lookup(std::string_view uri) const;

  std::filesystem::path folder_;
  std::mutex mutex_;  // guards certificates_
  std::vector<security::Certificate> certificates_;
};

}  // namespace sippay::roles
