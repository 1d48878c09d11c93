#include "security/reloadable_trust_store.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <utility>

#include "security/file_io.hpp"

namespace sippay::security {
namespace {

// Fails unless `info` is within its validity period at `now`.
Status check_crl_period(const CrlInfo& info, std::chrono::system_clock::time_point now) {
  const auto seconds = [](std::chrono::system_clock::time_point time) {
    return std::chrono::floor<std::chrono::seconds>(time);
  };
  if (info.this_update > now) {
    return Error{ErrorCode::crl_invalid,
                 fmt::format("CRL thisUpdate {:%FT%TZ} is in the future; check the clocks of this host and the CA",
                             seconds(info.this_update))};
  }
  if (info.next_update && *info.next_update < now) {
    return Error{ErrorCode::crl_invalid,
                 fmt::format("CRL expired at {:%FT%TZ} (nextUpdate); publish a new one with sippay pki crl",
                             seconds(*info.next_update))};
  }
  return ok_status();
}

}  // namespace

Result<std::shared_ptr<ReloadableTrustStore>> ReloadableTrustStore::load(
    const std::filesystem::path& ca_pem, const std::optional<std::filesystem::path>& crl_pem) {
  auto store = TrustStore::load(ca_pem, crl_pem);
  if (!store) return store.error();
  return std::make_shared<ReloadableTrustStore>(std::move(store.value()), crl_pem);
}

ReloadableTrustStore::ReloadableTrustStore(TrustStore initial, std::optional<std::filesystem::path> crl_file)
    : crl_file_(std::move(crl_file)), current_(std::make_shared<const TrustStore>(std::move(initial))) {}

std::shared_ptr<const TrustStore> ReloadableTrustStore::current() const {
  const std::lock_guard lock(current_mutex_);
  return current_;
}

Result<CrlInfo> ReloadableTrustStore::reload_crl(std::chrono::system_clock::time_point now) {
  if (!crl_file_) return Error{ErrorCode::crl_invalid, "no CRL file is configured, so there is nothing to reload"};
  const std::lock_guard reload_lock(reload_mutex_);
  const auto failure = [this](const Error& error) {
    return Error{error.code, fmt::format("{}: {}; the CRL in use stays", crl_file_->string(), error.detail)};
  };

  auto text = read_file(*crl_file_, kMaxCrlBytes);
  if (!text) return failure(text.error());
  // The copy shares the CA and the old CRL with the store in use, and
  // add_crl_pem replaces both of its own pointers, so readers of the store
  // in use see no change.
  TrustStore next = *current();
  const Status added = next.add_crl_pem(text.value());
  if (!added) return failure(added.error());
  CrlInfo info = *next.crl_info();
  const Status period = check_crl_period(info, now);
  if (!period) return failure(period.error());

  auto published = std::make_shared<const TrustStore>(std::move(next));
  const std::lock_guard lock(current_mutex_);
  current_ = std::move(published);
  return info;
}

}  // namespace sippay::security
