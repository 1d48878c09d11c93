// Fuzzes the proxy's rewriting of parsed messages (RFC 3261 §16.6 and
// §16.7): the request forwarded to a target, the response relayed back, the
// loop-detection hash and the canonical address of record, the key of the
// location service.
//
// Input layout: byte 0 sets the forwarding spec. Its bits 0-3 are the
// number of Route elements to remove, cut to the request's count, and bits
// 4-7 the index of the Proxy-Authorization element that the proxy consumed
// (none when out of range). The rest is a datagram.
//
// Checks: the forwarded request and the relayed response parse, with the
// changes the spec asks for and no others (Request-URI, one more or one less
// Via, Max-Forwards, Route count, body). A canonical address of record is a
// URI whose own canonical form is itself.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "proxy/aor.hpp"
#include "proxy/message_relay.hpp"
#include "sip/message.hpp"
#include "sip/uri.hpp"

namespace {

using sippay::fuzz::fail;
namespace proxy = sippay::proxy;
namespace sip = sippay::sip;

constexpr std::string_view kTarget = "sip:bob@192.0.2.7:5070;transport=tcp";
constexpr std::string_view kVia = "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKfuzz.0123456789abcdef";

sip::Message must_parse(const std::string& bytes, std::string_view what) {
  auto parsed = sip::parse_message(bytes, sippay::fuzz::unlimited(), sip::Framing::kStream);
  if (!parsed) fail(std::string(what) + " does not parse: " + parsed.error().to_string(), bytes);
  return std::move(*parsed);
}

void check_aor(const sip::Uri& uri) {
  const std::optional<std::string> aor = proxy::canonical_aor(uri);
  if (!aor) return;
  const auto parsed = sip::parse_uri(*aor);
  if (!parsed) fail("a canonical address of record does not parse: " + parsed.error().to_string(), *aor);
  const std::optional<std::string> again = proxy::canonical_aor(*parsed);
  if (again != aor) fail("canonical_aor is not idempotent", *aor);
}

void check_forwarded(const sip::Message& request, std::uint8_t spec_byte) {
  if (request.max_forwards() && *request.max_forwards() == 0) return;  // 483 before forwarding

  proxy::ForwardSpec spec;
  spec.request_uri = kTarget;
  spec.via = kVia;
  spec.routes_to_remove = std::min<std::size_t>(spec_byte & 0x0f, request.routes().size());
  const std::size_t consumed = spec_byte >> 4;
  if (consumed < request.proxy_authorization().size()) spec.consumed_proxy_authorization = consumed;

  const std::string bytes = proxy::build_forwarded_request(request, spec);
  const sip::Message forwarded = must_parse(bytes, "a forwarded request");
  if (!forwarded.is_request() || forwarded.method() != request.method())
    fail("the forwarded request has another method", bytes);
  if (forwarded.request_line().request_uri.text != kTarget)
    fail("the forwarded request has another Request-URI", bytes);
  if (forwarded.vias().size() != request.vias().size() + 1 || forwarded.vias().front().text != kVia)
    fail("the forwarded request lacks its new top Via", bytes);
  const std::uint32_t expected_hops = request.max_forwards() ? *request.max_forwards() - 1 : 70;
  if (forwarded.max_forwards() != expected_hops) fail("the forwarded Max-Forwards is wrong", bytes);
  if (forwarded.routes().size() != request.routes().size() - spec.routes_to_remove)
    fail("the forwarded request has the wrong Route count", bytes);
  if (forwarded.body() != request.body()) fail("the forwarded request has another body", bytes);
  if (forwarded.proxy_authorization().size() > request.proxy_authorization().size())
    fail("the forwarded request gained Proxy-Authorization elements", bytes);

  if (proxy::loop_detection_hash(request) != proxy::loop_detection_hash(request))
    fail("the loop-detection hash is not deterministic");
  const std::uint64_t hash = proxy::loop_detection_hash(request);
  if (!proxy::branch_has_loop_hash(proxy::make_branch("fuzz", 1, hash), hash))
    fail("a branch made with a loop hash does not carry it");
}

// The proxy relays a response only when a Via is left after its own.
void check_relayed(const sip::Message& response) {
  if (response.vias().size() < 2) return;
  const std::string bytes = proxy::build_relayed_response(response);
  const sip::Message relayed = must_parse(bytes, "a relayed response");
  if (relayed.is_request() || relayed.status_code() != response.status_code())
    fail("the relayed response has another status", bytes);
  if (relayed.vias().size() + 1 != response.vias().size())
    fail("the relayed response did not lose exactly its top Via", bytes);
  if (relayed.body() != response.body()) fail("the relayed response has another body", bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto parsed = sip::parse_message(bytes, {}, sip::Framing::kDatagram);
  if (!parsed) return 0;

  // The transaction layer responds to a request with a semantic error itself,
  // so the proxy never relays one. A response reaches the relay as parsed.
  if (parsed->is_request()) {
    if (parsed->semantic_error() != nullptr) return 0;
    check_aor(parsed->request_line().request_uri);
    if (parsed->from() != nullptr) check_aor(parsed->from()->uri);
    if (parsed->to() != nullptr) check_aor(parsed->to()->uri);
    check_forwarded(*parsed, data[0]);
  } else {
    check_relayed(*parsed);
  }
  return 0;
}
