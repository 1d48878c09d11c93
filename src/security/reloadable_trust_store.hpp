// The TrustStore a running daemon uses, replaced as a whole when its CRL
// file is read again (SIGHUP, or a change of the file).
//
// A reload reads the file, checks the new CRL on a copy of the store in use
// and, only when every check passes, makes the copy current. A reader takes
// a snapshot with current() and keeps it for one operation, so a check that
// started before a reload finishes with the store it started with. A CRL
// that fails a check leaves the store in use as it was: a daemon never
// drops to "no CRL".
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include "security/error.hpp"
#include "security/trust_store.hpp"

namespace sippay::security {

class ReloadableTrustStore {
 public:
  // Loads the CA and, when given, the CRL as TrustStore::load does, and
  // keeps the CRL's path for reload_crl.
  static Result<std::shared_ptr<ReloadableTrustStore>> load(const std::filesystem::path& ca_pem,
                                                            const std::optional<std::filesystem::path>& crl_pem);

  ReloadableTrustStore(TrustStore initial, std::optional<std::filesystem::path> crl_file);

  // The store in use. Safe to call on any thread.
  std::shared_ptr<const TrustStore> current() const;

  // Reads the CRL file again and, when it is valid at `now`, makes a store
  // with it current and returns the new CRL's facts. The CRL is checked as
  // at start: at most kMaxCrlBytes, PEM, signed by the CA, full scope. It
  // must also be within its validity period at `now`. Its thisUpdate must
  // not be older and its cRLNumber not lower than those of the CRL in use.
  // On failure the store in use stays and the error names the file and the
  // check.
  // Safe to call on any thread; concurrent reloads run one after the other.
  Result<CrlInfo> reload_crl(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

  const std::optional<std::filesystem::path>& crl_file() const { return crl_file_; }

 private:
  const std::optional<std::filesystem::path> crl_file_;
  std::mutex reload_mutex_;  // held for a whole reload_crl
  mutable std::mutex current_mutex_;  // held only to copy or replace current_
  std::shared_ptr<const TrustStore> current_;
};

}  // namespace sippay::security
