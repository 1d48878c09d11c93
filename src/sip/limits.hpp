// Bounds on what the parser and the stream framer accept. Beyond each the
// message is rejected with status 513 Message Too Large (RFC 3261 §21.5.7);
// nothing grows without bound.
#pragma once

#include <cstddef>

namespace sippay::sip {

struct ParseLimits {
  // Whole message, start line to the end of the body. 65,535 bytes is the
  // largest UDP payload; payment messages with certificates run to a few KB.
  std::size_t max_message_bytes = 65535;
  // Header fields, counting each line of a repeated header once.
  std::size_t max_header_count = 256;
  // One header field including its folded continuation lines, and the start line.
  std::size_t max_header_line_bytes = 8192;
};

}  // namespace sippay::sip
