#include "security/cms_ber.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace sippay::security {
namespace {

CmsError malformed(std::size_t offset, std::string_view what) {
  return CmsError(CmsFailure::malformed_ber, fmt::format("{} at byte {}", what, offset));
}

std::size_t effective_depth_limit(const CmsLimits& limits) {
  return std::min(limits.max_nesting_depth, kMaxNestingDepthCeiling);
}

// Reads one element of `data` starting at `pos` and moves `pos` past it.
// `base` is the offset of `data` in the whole input, for error messages.
// `depth` is the nesting depth of the element being read, 1 for the outermost.
class BerParser {
 public:
  BerParser(std::string_view data, std::size_t base, const CmsLimits& limits)
      : data_(data), base_(base), max_depth_(effective_depth_limit(limits)) {}

  CmsResult<BerElement> read(std::size_t& pos, std::size_t depth) {
    if (depth > max_depth_) {
      return CmsError(CmsFailure::nesting_too_deep,
                      fmt::format("BER nesting deeper than {} at byte {}", max_depth_, base_ + pos));
    }
    const std::size_t start = pos;
    BerElement element;
    if (auto status = read_identifier(pos, element); !status) return status.error();
    bool indefinite = false;
    std::size_t length = 0;
    if (auto status = read_length(pos, indefinite, length); !status) return status.error();
    element.indefinite_length = indefinite;

    if (element.tag_class == BerClass::universal && element.tag_number == 0) {
      return malformed(base_ + start, "end-of-contents octets outside an indefinite length");
    }
    if (indefinite) {
      if (!element.constructed) {
        return malformed(base_ + start, "indefinite length on a primitive element");
      }
      const std::size_t content_start = pos;
      while (true) {
        if (data_.size() - pos >= 2 && data_[pos] == '\0' && data_[pos + 1] == '\0') {
          element.content = data_.substr(content_start, pos - content_start);
          pos += 2;
          break;
        }
        if (pos >= data_.size()) {
          return malformed(base_ + start, "indefinite length without end-of-contents octets");
        }
        auto child = read(pos, depth + 1);
        if (!child) return child.error();
      }
    } else {
      if (length > data_.size() - pos) {
        return malformed(base_ + start, fmt::format("length {} runs past the {} bytes left", length,
                                                    data_.size() - pos));
      }
      element.content = data_.substr(pos, length);
      if (element.constructed) {
        // The children must fill the contents exactly.
        BerParser inner(element.content, base_ + pos, max_depth_);
        std::size_t inner_pos = 0;
        while (inner_pos < element.content.size()) {
          auto child = inner.read(inner_pos, depth + 1);
          if (!child) return child.error();
        }
      }
      pos += length;
    }
    element.encoding = data_.substr(start, pos - start);
    return element;
  }

 private:
  BerParser(std::string_view data, std::size_t base, std::size_t max_depth)
      : data_(data), base_(base), max_depth_(max_depth) {}

  CmsStatus read_identifier(std::size_t& pos, BerElement& element) {
    if (pos >= data_.size()) return malformed(base_ + pos, "missing identifier octet");
    const auto first = static_cast<std::uint8_t>(data_[pos++]);
    element.tag_class = static_cast<BerClass>(first >> 6);
    element.constructed = (first & 0x20) != 0;
    element.tag_number = first & 0x1f;
    if (element.tag_number != 0x1f) return std::monostate{};

    // High tag number form: base-128 digits, at most 4 of them (tag < 2^28).
    std::uint32_t number = 0;
    for (int digits = 0;; ++digits) {
      if (pos >= data_.size()) return malformed(base_ + pos, "truncated tag number");
      if (digits == 4) return malformed(base_ + pos, "tag number longer than 4 octets");
      const auto octet = static_cast<std::uint8_t>(data_[pos++]);
      if (digits == 0 && octet == 0x80) return malformed(base_ + pos - 1, "tag number with a leading zero digit");
      number = (number << 7) | (octet & 0x7f);
      if ((octet & 0x80) == 0) break;
    }
    element.tag_number = number;
    return std::monostate{};
  }

  CmsStatus read_length(std::size_t& pos, bool& indefinite, std::size_t& length) {
    if (pos >= data_.size()) return malformed(base_ + pos, "missing length octet");
    const auto first = static_cast<std::uint8_t>(data_[pos++]);
    indefinite = false;
    if (first < 0x80) {
      length = first;
      return std::monostate{};
    }
    if (first == 0x80) {
      indefinite = true;
      length = 0;
      return std::monostate{};
    }
    const std::size_t count = first & 0x7f;
    if (first == 0xff || count > 4) {
      return malformed(base_ + pos - 1, fmt::format("length of {} octets", count));
    }
    if (count > data_.size() - pos) return malformed(base_ + pos, "truncated length");
    length = 0;
    for (std::size_t i = 0; i < count; ++i) {
      length = (length << 8) | static_cast<std::uint8_t>(data_[pos++]);
    }
    return std::monostate{};
  }

  std::string_view data_;
  std::size_t base_;
  std::size_t max_depth_;
};

}  // namespace

CmsResult<BerElement> check_ber(std::string_view input, const CmsLimits& limits) {
  if (input.size() > limits.max_input_bytes) {
    return CmsError(CmsFailure::input_too_large,
                    fmt::format("{} bytes, more than the limit of {}", input.size(),
                                limits.max_input_bytes));
  }
  if (input.empty()) return malformed(0, "empty input");
  BerParser parser(input, 0, limits);
  std::size_t pos = 0;
  auto element = parser.read(pos, 1);
  if (!element) return element;
  if (pos != input.size()) {
    return malformed(pos, fmt::format("{} bytes after the outermost element", input.size() - pos));
  }
  return element;
}

CmsResult<std::vector<BerElement>> ber_children(const BerElement& parent, const CmsLimits& limits) {
  if (!parent.constructed) {
    return CmsError(CmsFailure::malformed_ber, "expected a constructed element, got a primitive one");
  }
  std::vector<BerElement> children;
  BerParser parser(parent.content, 0, limits);
  std::size_t pos = 0;
  while (pos < parent.content.size()) {
    auto child = parser.read(pos, 1);
    if (!child) return child.error();
    children.push_back(child.value());
  }
  return children;
}

CmsResult<std::string> ber_octet_string(const BerElement& element, const CmsLimits& limits) {
  if (!element.is(BerClass::universal, kBerOctetString)) {
    return CmsError(CmsFailure::malformed_ber, "expected an OCTET STRING");
  }
  if (!element.constructed) return std::string(element.content);
  auto segments = ber_children(element, limits);
  if (!segments) return segments.error();
  std::string value;
  for (const BerElement& segment : segments.value()) {
    auto part = ber_octet_string(segment, limits);
    if (!part) return part;
    value += part.value();
  }
  return value;
}

CmsResult<std::uint64_t> ber_small_integer(const BerElement& element) {
  if (!element.is(BerClass::universal, kBerInteger) || element.constructed ||
      element.content.empty() || element.content.size() > 8 ||
      (static_cast<std::uint8_t>(element.content[0]) & 0x80) != 0) {
    return CmsError(CmsFailure::malformed_ber, "expected a small non-negative INTEGER");
  }
  std::uint64_t value = 0;
  for (char octet : element.content) value = (value << 8) | static_cast<std::uint8_t>(octet);
  return value;
}

}  // namespace sippay::security
