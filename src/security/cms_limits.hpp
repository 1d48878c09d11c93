// Bounds on CMS and MIME input, checked before OpenSSL parses a byte of it.
// docs/smime.md lists the same values.
#pragma once

#include <cstddef>

namespace sippay::security {

struct CmsLimits {
  // Largest CMS input, in bytes. Purchase protocol messages with their
  // certificates are a few KB; 256 KiB leaves room for chains and many recipients.
  std::size_t max_input_bytes = 256 * 1024;
  // Deepest BER nesting of constructed elements, the outermost counting as 1.
  // A SignedData with its certificates reaches about 10; OpenSSL's own ASN.1
  // decoder stops at 30.
  std::size_t max_nesting_depth = 24;
};

// A max_nesting_depth above this value is lowered to it, so that the
// recursive BER walk cannot exhaust the stack.
inline constexpr std::size_t kMaxNestingDepthCeiling = 64;

}  // namespace sippay::security
