// Checks shared by the fuzz targets. A Visitor reads every field of a parsed
// value, iterates every ParamList and requires each view to lie inside the
// parsed input, so that lazy iteration code runs and the sanitizers see each
// byte a view points to. Any broken invariant aborts, which libFuzzer records
// as a crash, saving the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sip/headers.hpp"
#include "sip/message.hpp"
#include "sip/params.hpp"
#include "sip/parse_error.hpp"
#include "sip/uri.hpp"

namespace sippay::fuzz {

// Prints `reason` and `detail` (cut to 4 KB) to stderr, then aborts.
[[noreturn]] void fail(std::string_view reason, std::string_view detail = {});

// Limits for parsing the serializer's output again. Canonical output can be
// larger than its input (compact names written in full, one list element per
// line), so the default limits could reject output of an input that they accepted.
sip::ParseLimits unlimited();

// Checks a ParseError: a position inside the input (or at its end), a status
// code the codec documents, and a reason that is not empty and has no CR or LF
// after `to_string()`.
void check_error(const sip::ParseError& error, std::size_t input_size, std::size_t base = 0);

class Visitor {
 public:
  // Views of parsed values must point into `input`.
  explicit Visitor(std::string_view input) : input_(input) {}

  void view(std::string_view text);
  void params(const sip::ParamList& list);
  void uri(const sip::Uri& uri);
  void via(const sip::Via& via);
  void name_addr(const sip::NameAddr& address);
  void contact(const sip::Contact& contact);
  void auth(const sip::AuthHeader& header);
  void authentication_info(const sip::AuthenticationInfo& info);
  void media_type(const sip::MediaType& media);
  void content_disposition(const sip::ContentDisposition& disposition);
  void date(const sip::SipDate& date);
  void message(const sip::Message& message);

  // A sum of every byte read, returned so that the reads cannot be optimized away.
  std::uint64_t checksum() const { return checksum_; }

 private:
  void header_field(const sip::Message& message, const sip::HeaderField& field);

  std::string_view input_;
  std::uint64_t checksum_ = 0;
};

// Serializes `message`, parses the output, serializes that and requires the
// same bytes and the same message shape. Returns the first serialization.
std::string check_round_trip(const sip::Message& message);

// Adds `value` to a volatile sink, so that the optimizer keeps the reads that produced it.
void consume(std::uint64_t value);

}  // namespace sippay::fuzz
