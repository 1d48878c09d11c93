// Ids drawn from 128 random bits (OpenSSL RAND_bytes), written as 22
// base64url characters: transaction ids are never reused, also across
// restarts, because nothing counts.
#pragma once

#include <string>

#include "payment/role_actions.hpp"

namespace sippay::roles::gateway {

class RandomIds final : public payment::IdSource {
 public:
  // Throws std::runtime_error when OpenSSL has no randomness.
  std::string new_id() override;
};

}  // namespace sippay::roles::gateway
