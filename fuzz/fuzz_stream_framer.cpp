// Fuzzes StreamFramer the way a TCP connection drives it: bytes arrive in
// chunks of varying size, and next() is drained after each feed.
//
// Input layout:
//   byte 0      bit 0 set: a 1024-byte message limit instead of the default,
//               so that the 513 paths run without 64 KB inputs
//   bytes 1..3  chunk-size seeds, used in turn: 0x00..0xEF give 1..240 bytes,
//               0xF0..0xFF give 4096..65536 bytes
//   the rest    the byte stream
//
// Checks:
//   - every event consumes exactly the stream bytes it reports;
//   - a message stays within the limit, and parses with Framing::kStream or
//     fails with a clean error;
//   - parser and framer agree on where a message ends;
//   - buffered_bytes() never exceeds the limit plus the last feed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "sip/message.hpp"
#include "sip/stream_framer.hpp"

namespace {

using sippay::fuzz::fail;
namespace sip = sippay::sip;

constexpr std::size_t kHeaderBytes = 4;
constexpr std::size_t kSmallMessageLimit = 1024;

std::size_t chunk_size(std::uint8_t seed) {
  if (seed < 0xF0) return std::size_t{seed} + 1;
  return std::size_t{seed - 0xEFU} * 4096;
}

void check_message(std::string_view message, const sip::ParseLimits& limits) {
  if (message.empty()) fail("StreamFramer returns an empty message");
  if (message.size() > limits.max_message_bytes)
    fail("StreamFramer returns a message above the limit");

  auto parsed = sip::parse_message(message, limits, sip::Framing::kStream);
  if (!parsed) {
    sippay::fuzz::check_error(parsed.error(), message.size());
    return;
  }
  if (parsed->size_bytes() != message.size()) {
    fail("parser and framer disagree on the message end: parser " +
             std::to_string(parsed->size_bytes()) + " bytes, framer " +
             std::to_string(message.size()),
         message);
  }
  sippay::fuzz::Visitor visitor(message);
  visitor.message(*parsed);
  sippay::fuzz::consume(visitor.checksum());
  sippay::fuzz::check_round_trip(*parsed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kHeaderBytes) return 0;
  sip::ParseLimits limits;
  if ((data[0] & 1) != 0) limits.max_message_bytes = kSmallMessageLimit;
  const std::uint8_t seeds[] = {data[1], data[2], data[3]};
  const std::string_view stream(reinterpret_cast<const char*>(data + kHeaderBytes),
                                size - kHeaderBytes);

  sip::StreamFramer framer(limits);
  std::size_t fed = 0;       // bytes of `stream` given to feed()
  std::size_t consumed = 0;  // bytes of `stream` that events have accounted for
  for (std::size_t chunk_index = 0; fed < stream.size(); ++chunk_index) {
    const std::size_t length = std::min(chunk_size(seeds[chunk_index % 3]), stream.size() - fed);
    framer.feed(stream.substr(fed, length));
    fed += length;

    bool drained = false;
    for (std::size_t events = 0; !drained; ++events) {
      if (events > fed + 1) fail("StreamFramer::next returns more events than bytes were fed");
      switch (framer.next()) {
        case sip::StreamFramer::Event::kNeedMore:
          drained = true;
          break;
        case sip::StreamFramer::Event::kError:
          sippay::fuzz::check_error(framer.error(), fed);
          if (framer.next() != sip::StreamFramer::Event::kError)
            fail("StreamFramer recovers after kError");
          return 0;  // the connection is closed after an error
        case sip::StreamFramer::Event::kPing:
          if (stream.substr(consumed, 4) != "\r\n\r\n")
            fail("kPing without a double CRLF in the stream");
          consumed += 4;
          break;
        case sip::StreamFramer::Event::kPong:
          if (stream.substr(consumed, 2) != "\r\n") fail("kPong without a CRLF in the stream");
          consumed += 2;
          break;
        case sip::StreamFramer::Event::kMessage: {
          const std::string_view message = framer.message();
          if (stream.substr(consumed, message.size()) != message) {
            fail("StreamFramer message is not the next bytes of the stream", message);
          }
          consumed += message.size();
          check_message(message, limits);
          break;
        }
      }
      if (consumed > fed) fail("StreamFramer consumed more bytes than were fed");
    }

    if (consumed + framer.buffered_bytes() != fed)
      fail("StreamFramer lost or duplicated buffered bytes");
    if (framer.buffered_bytes() > limits.max_message_bytes + length) {
      fail("StreamFramer buffers " + std::to_string(framer.buffered_bytes()) +
           " bytes, above the limit " + std::to_string(limits.max_message_bytes) +
           " plus the last feed of " + std::to_string(length));
    }
  }
  return 0;
}
