// Ids drawn from 128 random bits (OpenSSL's RAND_bytes), written as 22
// base64url characters: the id rule of docs/protocol.md section 2.
#pragma once

#include <string>

#include "payment/role_actions.hpp"

namespace sippay::roles {

// Thread safe: it keeps no state, and RAND_bytes is thread safe in OpenSSL 3.
class RandomIds : public payment::IdSource {
 public:
  // Throws std::runtime_error when the random generator fails.
  std::string new_id() override;
};

}  // namespace sippay::roles
