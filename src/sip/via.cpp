// Via (RFC 3261 §20.42, grammar §25.1; rport from RFC 3581).
#include "sip/header_grammar.hpp"
#include "sip/headers.hpp"

namespace sippay::sip {
namespace {

using grammar::quote_for_error;

// The via-params that Via picks out into its fields (§25.1, RFC 3581 §5).
// Each may appear once, so that a field and ParamList::find, which returns
// the first match, never read different values.
enum PickedParam { kBranch, kReceived, kRport, kTtl, kMaddr };
constexpr grammar::NameIndex<5> kPickedParams({"branch", "received", "rport", "ttl", "maddr"});

std::optional<ParseError> apply_via_param(Scanner& s, Via& via, unsigned& seen,
                                          std::string_view name, std::string_view value,
                                          bool has_value, std::size_t name_pos) {
  const int picked = kPickedParams.find(name);
  if (picked < 0) return std::nullopt;
  auto fail = [&](std::string reason) { return s.error_at(name_pos, std::move(reason)); };
  if ((seen & (1U << picked)) != 0) {
    return fail("duplicate " + std::string(kPickedParams.name(picked)) + " parameter");
  }
  seen |= 1U << picked;
  switch (picked) {
    case kBranch:
      if (!has_value || value.front() == '"' || value.front() == '[') {
        return fail("branch parameter must be a token");
      }
      via.branch = value;
      via.has_branch = true;
      break;
    case kReceived: {
      std::string_view address = value;
      if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
        // NOTE: §25.1 writes an IPv6 received value bare; bracketed values
        // seen from deployed stacks are accepted too.
        address = address.substr(1, address.size() - 2);
      }
      if (!has_value || !(is_ipv4(address) || is_ipv6(address))) {
        return fail("received parameter must be an IPv4 or IPv6 address, not " +
                    quote_for_error(value));
      }
      via.received = value;
      break;
    }
    case kRport:
      via.has_rport = true;
      if (has_value) {
        // A port of 0 cannot be the source port of a request, and 0 is what
        // `rport` holds for a parameter without a value.
        const auto port = grammar::to_unsigned(value, 65535);
        if (!port || *port == 0) {
          return fail("rport value " + quote_for_error(value) + " must be 1 to 65535");
        }
        via.rport = static_cast<std::uint16_t>(*port);
      }
      break;
    case kTtl: {
      const auto ttl =
          has_value && value.size() <= 3 ? grammar::to_unsigned(value, 255) : std::nullopt;
      if (!ttl) return fail("ttl value " + quote_for_error(value) + " must be 0 to 255");
      via.ttl = static_cast<int>(*ttl);
      break;
    }
    case kMaddr: {
      HostType type = HostType::kNone;
      if (!has_value || !is_host(value, type)) {
        return fail("maddr value " + quote_for_error(value) + " is not a host");
      }
      via.maddr = value;
      break;
    }
  }
  return std::nullopt;
}

// protocol-name SLASH protocol-version SLASH, the start of sent-protocol.
std::optional<ParseError> scan_protocol_name_and_version(Scanner& s, Via& via) {
  via.protocol_name = s.take_token();
  if (via.protocol_name.empty()) return s.error("missing protocol name in Via");
  if (!s.consume_separator('/')) return s.error("expected '/' after Via protocol name");
  via.protocol_version = s.take_token();
  if (via.protocol_version.empty()) return s.error("missing protocol version in Via");
  if (!s.consume_separator('/')) {
    return s.error("expected '/' and a transport after Via protocol version");
  }
  return std::nullopt;
}

// sent-protocol LWS sent-by, where sent-protocol = protocol-name SLASH
// protocol-version SLASH transport and sent-by = host [ COLON port ].
std::optional<ParseError> scan_sent_protocol_and_by(Scanner& s, Via& via) {
  // Nearly every Via starts with "SIP/2.0/", which is taken here in one step.
  // Any other text, whitespace around the slashes included, takes the path
  // below, which reads the same values.
  const std::string_view rest = s.rest();
  if (rest.size() > 8 && charset::token_iequals(rest.substr(0, 3), "SIP") &&
      rest.substr(3, 5) == "/2.0/") {
    via.protocol_name = rest.substr(0, 3);
    via.protocol_version = rest.substr(4, 3);
    s.advance(8);
    s.skip_lws();  // SLASH = SWS "/" SWS
  } else if (auto e = scan_protocol_name_and_version(s, via)) {
    return e;
  }
  via.transport = s.take_token();
  if (via.transport.empty()) return s.error("missing transport in Via");
  if (s.at_end()) return s.error("missing host in Via sent-by");
  if (!s.skip_lws()) return s.error("expected whitespace and a host after Via transport");

  const std::size_t host_start = s.pos();
  const std::size_t host_end = scan_host(s.text(), host_start, via.host_type);
  if (host_end == host_start) return s.error("invalid or missing host in Via sent-by");
  via.host = s.slice(host_start, host_end);
  s.set_pos(host_end);

  const std::size_t before_colon = s.pos();
  if (s.consume_separator(':')) {
    const std::size_t port_pos = s.pos();
    const std::string_view digits = s.take_while(charset::kDigit);
    const auto port = grammar::to_unsigned(digits, 65535);
    if (!port) return s.error_at(port_pos, "invalid port in Via sent-by: must be 0 to 65535");
    via.port = static_cast<std::uint16_t>(*port);
    via.has_port = true;
  } else {
    s.set_pos(before_colon);
  }
  return std::nullopt;
}

}  // namespace

std::optional<ParseError> parse_via(std::string_view value, std::size_t base,
                                    std::vector<Via>& out) {
  Scanner s(value, base);
  while (true) {
    // Parsed in place; an element that fails is removed again.
    Via& via = out.emplace_back(kEmptyVia);
    const std::size_t start = s.pos();
    std::optional<ParseError> e = scan_sent_protocol_and_by(s, via);
    const std::size_t params_start = s.pos();
    unsigned seen = 0;
    if (!e) {
      e = grammar::scan_generic_params(
          s, true,
          [&](std::string_view name, std::string_view param_value, bool has_value,
              std::size_t pos) {
            return apply_via_param(s, via, seen, name, param_value, has_value, pos);
          },
          "received");
    }
    if (e) {
      out.pop_back();
      return e;
    }
    via.params = ParamList(s.slice(params_start, s.pos()), ParamList::Style::kHeader);
    via.text = s.slice(start, s.pos());

    if (!s.consume_separator(',')) {
      s.skip_lws();
      if (!s.at_end()) return s.error("unexpected text after Via value");
      return std::nullopt;
    }
  }
}

}  // namespace sippay::sip
