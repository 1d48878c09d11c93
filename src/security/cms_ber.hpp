// A bounded BER reader for CMS input (X.690). It checks what OpenSSL's
// decoders let through or cannot bound: total size, nesting depth, lengths
// that run past their parent, indefinite lengths on primitive elements,
// stray end-of-contents octets and bytes after the outermost element. It also
// reads the few fields that the CMS API does not expose, such as the GCM tag.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "security/cms_error.hpp"
#include "security/cms_limits.hpp"

namespace sippay::security {

enum class BerClass : std::uint8_t { universal = 0, application = 1, context = 2, private_use = 3 };

// Universal tag numbers used by CMS.
inline constexpr std::uint32_t kBerInteger = 2;
inline constexpr std::uint32_t kBerOctetString = 4;
inline constexpr std::uint32_t kBerObjectIdentifier = 6;
inline constexpr std::uint32_t kBerSequence = 16;
inline constexpr std::uint32_t kBerSet = 17;

// One tag-length-value element. Views point into the input that was read.
struct BerElement {
  BerClass tag_class = BerClass::universal;
  bool constructed = false;
  std::uint32_t tag_number = 0;
  bool indefinite_length = false;
  std::string_view content;  // the contents octets, without an end-of-contents marker
  std::string_view encoding;  // identifier, length, contents and end-of-contents octets

  bool is(BerClass expected_class, std::uint32_t expected_number) const {
    return tag_class == expected_class && tag_number == expected_number;
  }
};

// Checks that `input` is exactly one BER element within `limits`. Returns it.
CmsResult<BerElement> check_ber(std::string_view input, const CmsLimits& limits = {});

// The elements inside a constructed element, in order.
CmsResult<std::vector<BerElement>> ber_children(const BerElement& parent,
                                                const CmsLimits& limits = {});

// The value of an OCTET STRING, joining the segments of a constructed one.
CmsResult<std::string> ber_octet_string(const BerElement& element, const CmsLimits& limits = {});

// The value of a non-negative INTEGER that fits in 63 bits.
CmsResult<std::uint64_t> ber_small_integer(const BerElement& element);

}  // namespace sippay::security
