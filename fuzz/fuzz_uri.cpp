// Fuzzes parse_uri and uri_equivalent.
//
// Each URI that parses is visited field by field, and its canonical form from
// to_string must parse again to an equivalent URI with the same canonical form.
// An input with a LF contains two URIs, the text before the first LF and the text
// after it. When both parse, uri_equivalent must return the same result for
// (a, b), (b, a) and the canonical forms of a and b.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "sip/uri.hpp"

namespace {

using sippay::fuzz::fail;
namespace sip = sippay::sip;

// An offset that parse_uri adds to error positions, as for a URI inside a message.
constexpr std::size_t kBase = 1000;

void check_same_parts(const sip::Uri& a, const sip::Uri& b, const std::string& canonical) {
  if (a.scheme != b.scheme) fail("reparsed URI has another scheme", canonical);
  if (a.host_type != b.host_type) fail("reparsed URI has another host type", canonical);
  if (a.has_user != b.has_user || a.user != b.user)
    fail("reparsed URI has another user", canonical);
  if (a.has_password != b.has_password || a.password != b.password) {
    fail("reparsed URI has another password", canonical);
  }
  if (a.has_port != b.has_port || a.port != b.port)
    fail("reparsed URI has another port", canonical);
  if (a.params.raw() != b.params.raw()) fail("reparsed URI has other parameters", canonical);
  if (a.headers.raw() != b.headers.raw()) fail("reparsed URI has other headers", canonical);
  if (a.opaque != b.opaque) fail("reparsed URI has another opaque part", canonical);
}

// Runs the single-URI checks on `text`. Returns the parsed URI, or nothing
// when `text` is not a URI.
std::optional<sip::Uri> check_uri(std::string_view text) {
  auto parsed = sip::parse_uri(text);
  auto parsed_at_base = sip::parse_uri(text, kBase);
  if (parsed.ok() != parsed_at_base.ok()) fail("parse_uri succeeds or fails depending on its base");
  if (!parsed) {
    sippay::fuzz::check_error(parsed.error(), text.size());
    sippay::fuzz::check_error(parsed_at_base.error(), text.size(), kBase);
    if (parsed_at_base.error().offset != parsed.error().offset + kBase) {
      fail("parse_uri error offset does not move with its base");
    }
    return std::nullopt;
  }

  const sip::Uri& uri = *parsed;
  if (uri.text != text) fail("Uri::text is not the parsed text");
  sippay::fuzz::Visitor visitor(text);
  visitor.uri(uri);
  sippay::fuzz::consume(visitor.checksum());

  const std::string canonical = sip::to_string(uri);
  auto reparsed = sip::parse_uri(canonical);
  if (!reparsed)
    fail("to_string output does not parse: " + reparsed.error().to_string(), canonical);
  sippay::fuzz::Visitor canonical_visitor(canonical);
  canonical_visitor.uri(*reparsed);
  sippay::fuzz::consume(canonical_visitor.checksum());

  if (!sip::uri_equivalent(uri, *reparsed))
    fail("URI is not equivalent to its reparsed canonical form", canonical);
  if (!sip::uri_equivalent(*reparsed, uri)) fail("uri_equivalent is not symmetric", canonical);
  if (!sip::uri_equivalent(*reparsed, *reparsed))
    fail("reparsed URI is not equivalent to itself", canonical);
  if (sip::to_string(*reparsed) != canonical)
    fail("to_string of the reparsed URI gives other text", canonical);
  check_same_parts(uri, *reparsed, canonical);

  std::string appended = "x";
  sip::append_uri(appended, uri);
  if (std::string_view(appended).substr(1) != canonical)
    fail("append_uri and to_string differ", canonical);
  return uri;
}

void check_pair(const sip::Uri& a, const sip::Uri& b) {
  const bool equivalent = sip::uri_equivalent(a, b);
  const std::string detail = std::string(a.text) + "\n" + std::string(b.text);
  if (sip::uri_equivalent(b, a) != equivalent) fail("uri_equivalent is not symmetric", detail);

  // The reparsed canonical URIs are views into these strings, which outlive the checks.
  const std::string canonical_a_text = sip::to_string(a);
  const std::string canonical_b_text = sip::to_string(b);
  auto canonical_a = sip::parse_uri(canonical_a_text);
  auto canonical_b = sip::parse_uri(canonical_b_text);
  if (!canonical_a || !canonical_b) fail("to_string output does not parse", detail);
  if (sip::uri_equivalent(*canonical_a, b) != equivalent ||
      sip::uri_equivalent(a, *canonical_b) != equivalent ||
      sip::uri_equivalent(*canonical_a, *canonical_b) != equivalent) {
    fail(equivalent ? "equivalent URIs differ once written in canonical form"
                    : "URIs that differ are equivalent once written in canonical form",
         detail);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) {
    check_uri(input);
    return 0;
  }
  const auto a = check_uri(input.substr(0, newline));
  const auto b = check_uri(input.substr(newline + 1));
  if (a && b) check_pair(*a, *b);
  return 0;
}
