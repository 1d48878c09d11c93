// Fuzzes the typed header parsers of headers.hpp one at a time.
//
// Input layout: byte 0 picks the parser (its value modulo kParserCount, in the
// order of the switch below); the rest is the header value. Values are given
// in the form the message parser passes them: without leading or trailing
// SP, HTAB, CR and LF, and with every LF part of a fold (CRLF followed by SP or
// HTAB). Other inputs are skipped.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "sip/headers.hpp"

namespace {

using sippay::fuzz::fail;
namespace sip = sippay::sip;

constexpr unsigned kParserCount = 18;
// The value's offset in an imagined message, added to error positions.
constexpr std::size_t kBase = 100;

bool is_trimmed_header_value(std::string_view value) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  if (!value.empty() && (is_space(value.front()) || is_space(value.back()))) return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\n') continue;
    if (i == 0 || value[i - 1] != '\r' || i + 1 >= value.size()) return false;
    if (value[i + 1] != ' ' && value[i + 1] != '\t') return false;
  }
  return true;
}

class HeaderChecker {
 public:
  explicit HeaderChecker(std::string_view value) : value_(value), visitor_(value) {}

  // Checks an error, or visits a value with `visit`.
  template <typename T, typename Visit>
  void check(const sip::Result<T>& result, Visit&& visit) {
    if (!result) {
      check(result.error());
      return;
    }
    visit(*result);
  }

  void check(const std::optional<sip::ParseError>& error) {
    if (error) sippay::fuzz::check_error(*error, value_.size(), kBase);
  }

  // Visits the elements a list parser appended. After an error some may be
  // missing, but the ones present must still be well formed.
  template <typename T, typename Visit>
  void check_list(const std::optional<sip::ParseError>& error, const std::vector<T>& elements,
                  Visit&& visit) {
    check(error);
    if (!error && elements.empty()) fail("a list header parsed without elements");
    for (const T& element : elements) visit(element);
  }

  sippay::fuzz::Visitor& visitor() { return visitor_; }

 private:
  std::string_view value_;
  sippay::fuzz::Visitor visitor_;
};

void run_parser(unsigned parser, std::string_view value, HeaderChecker& checker) {
  sippay::fuzz::Visitor& visit = checker.visitor();
  switch (parser) {
    case 0: {
      std::vector<sip::Via> vias;
      const auto error = sip::parse_via(value, kBase, vias);
      checker.check_list(error, vias, [&](const sip::Via& via) { visit.via(via); });
      return;
    }
    case 1:
      return checker.check(sip::parse_from_to(value, kBase),
                           [&](const sip::NameAddr& a) { visit.name_addr(a); });
    case 2: {
      std::vector<sip::NameAddr> routes;
      const auto error = sip::parse_route(value, kBase, routes);
      checker.check_list(error, routes, [&](const sip::NameAddr& a) { visit.name_addr(a); });
      return;
    }
    case 3: {
      std::vector<sip::Contact> contacts;
      bool star = false;
      const auto error = sip::parse_contact(value, kBase, contacts, star);
      if (star && !contacts.empty()) fail("Contact is '*' and has addresses too");
      if (star) return checker.check(error);
      return checker.check_list(error, contacts, [&](const sip::Contact& c) { visit.contact(c); });
    }
    case 4:
      return checker.check(sip::parse_call_id(value, kBase), [&](std::string_view id) {
        if (id.empty()) fail("empty Call-ID parsed");
        visit.view(id);
      });
    case 5:
      return checker.check(sip::parse_cseq(value, kBase), [&](const sip::CSeq& cseq) {
        if (cseq.number >= (1U << 31)) fail("CSeq number of 2**31 or more");
        visit.view(cseq.method);
      });
    case 6:
    case 7: {
      const std::uint64_t max = parser == 6 ? std::numeric_limits<std::uint32_t>::max() : 255;
      return checker.check(sip::parse_unsigned(value, kBase, max, "Fuzz-Number"),
                           [&](std::uint64_t number) {
                             if (number > max)
                               fail("parse_unsigned returns a number above its maximum");
                           });
    }
    case 8:
      return checker.check(sip::parse_media_type(value, kBase),
                           [&](const sip::MediaType& m) { visit.media_type(m); });
    case 9:
      return checker.check(sip::parse_content_disposition(value, kBase),
                           [&](const sip::ContentDisposition& d) { visit.content_disposition(d); });
    case 10:
    case 11: {
      const bool allow_empty = parser == 10;
      std::vector<std::string_view> tokens;
      const auto error = sip::parse_token_list(value, kBase, allow_empty, tokens);
      checker.check(error);
      if (!error && !allow_empty && tokens.empty())
        fail("empty token list accepted where it is not allowed");
      for (std::string_view token : tokens) {
        if (token.empty()) fail("empty token in a token list");
        visit.view(token);
      }
      return;
    }
    case 12:
    case 13:
      return checker.check(sip::parse_auth_header(value, kBase, parser == 12),
                           [&](const sip::AuthHeader& h) { visit.auth(h); });
    case 14:
      return checker.check(
          sip::parse_authentication_info(value, kBase),
          [&](const sip::AuthenticationInfo& info) { visit.authentication_info(info); });
    case 15:
      return checker.check(sip::parse_date(value, kBase),
                           [&](const sip::SipDate& date) { visit.date(date); });
    case 16:
      return checker.check(sip::check_server_value(value, kBase));
    default:
      return checker.check(sip::check_header_text(value, kBase));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned parser = data[0] % kParserCount;
  const std::string_view value(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!is_trimmed_header_value(value)) return 0;

  HeaderChecker checker(value);
  run_parser(parser, value, checker);
  sippay::fuzz::consume(checker.visitor().checksum());
  return 0;
}
