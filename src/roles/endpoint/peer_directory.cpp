#include "roles/endpoint/peer_directory.hpp"

#include <spdlog/spdlog.h>

#include "security/sip_identity.hpp"

namespace sippay::roles {

PeerDirectory::PeerDirectory(std::filesystem::path folder) : folder_(std::move(folder)) { load(); }

void PeerDirectory::load() {
  certificates_.clear();
  std::error_code error;
  std::filesystem::directory_iterator it(folder_, error);
  if (error) {
    spdlog::warn("peer certificates: cannot read the folder {}: {}", folder_.string(), error.message());
    return;
  }
  for (const auto& entry : it) {
    const std::string extension = entry.path().extension().string();
    if (extension != ".pem" && extension != ".crt") continue;
    if (certificates_.size() >= kMaxPeerCertificates) {
      spdlog::warn("peer certificates: more than {} files in {}; the rest are ignored", kMaxPeerCertificates,
                   folder_.string());
      return;
    }
    auto certificate = security::Certificate::load_pem_file(entry.path());
    if (!certificate) {
      spdlog::warn("peer certificates: skipped {}: {}", entry.path().string(), certificate.error().detail);
      continue;
    }
    certificates_.push_back(std::move(certificate.value()));
  }
}

std::optional<security::Certificate> PeerDirectory::lookup(std::string_view uri) const {
  std::optional<security::Certificate> found;
  for (const security::Certificate& certificate : certificates_) {
    if (!security::match_sip_identity(uri, certificate.sip_uris())) continue;
    if (!found || certificate.not_after() > found->not_after()) found = certificate;
  }
  return found;
}

std::optional<security::Certificate> PeerDirectory::find(std::string_view uri) {
  const std::lock_guard lock(mutex_);
  if (auto found = lookup(uri)) return found;
  load();
  return lookup(uri);
}

}  // namespace sippay::roles
