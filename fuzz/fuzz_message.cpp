// Fuzzes parse_message with the input as a datagram, as a whole stream
// message, and as the messages a StreamFramer cuts from it. Every message that
// parses is visited field by field and must survive serialize → parse →
// serialize with identical bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "sip/message.hpp"
#include "sip/serializer.hpp"
#include "sip/stream_framer.hpp"

namespace {

using sippay::fuzz::fail;
namespace sip = sippay::sip;

// Parses `bytes` and runs every check on the result. Returns the canonical
// serialization, or an empty string when the bytes do not parse.
std::string check_parse(std::string_view bytes, sip::Framing framing) {
  auto parsed = sip::parse_message(bytes, {}, framing);
  if (!parsed) {
    sippay::fuzz::check_error(parsed.error(), bytes.size());
    return {};
  }
  sippay::fuzz::Visitor visitor(bytes);
  visitor.message(*parsed);
  sippay::fuzz::consume(visitor.checksum());
  return sippay::fuzz::check_round_trip(*parsed);
}

// The reusing and owning parse paths must give the message that
// parse_message gives. `reused` keeps the previous input's message, so a
// member that Message::clear() does not reset shows up as a difference.
void check_other_parse_paths(std::string_view bytes, const std::string& canonical) {
  static sip::Message reused;
  const auto error = sip::parse_message_into(bytes, reused);
  if (error.has_value() != canonical.empty())
    fail("parse_message_into and parse_message disagree on success");
  if (!error && sip::serialize(reused) != canonical) {
    fail("parse_message_into into a reused Message gives another message", canonical);
  }

  auto owned = sip::parse_message_owned(std::string(bytes));
  if (owned.ok() != !canonical.empty())
    fail("parse_message_owned and parse_message disagree on success");
  if (owned) {
    const sip::Message copy = *owned;  // the copy shares the owned bytes
    owned = sip::parse_message_owned(std::string());
    if (sip::serialize(copy) != canonical)
      fail("a copy of an owning Message gives another message", canonical);
  }
}

void check_framed(std::string_view bytes) {
  sip::StreamFramer framer;
  framer.feed(bytes);
  for (std::size_t events = 0; events <= bytes.size(); ++events) {
    switch (framer.next()) {
      case sip::StreamFramer::Event::kNeedMore:
      case sip::StreamFramer::Event::kError:
        return;
      case sip::StreamFramer::Event::kPing:
      case sip::StreamFramer::Event::kPong:
        break;
      case sip::StreamFramer::Event::kMessage:
        check_parse(framer.message(), sip::Framing::kStream);
        break;
    }
  }
  fail("StreamFramer::next returns more events than the input has bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  const std::string canonical = check_parse(bytes, sip::Framing::kDatagram);
  check_other_parse_paths(bytes, canonical);
  const std::string stream_canonical = check_parse(bytes, sip::Framing::kStream);
  if (!stream_canonical.empty() && stream_canonical != canonical) {
    fail("stream and datagram parses of one input give different messages", canonical);
  }
  check_framed(bytes);
  return 0;
}
