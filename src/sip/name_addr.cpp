// From, To, Route, Record-Route and Contact (RFC 3261 §20.10, §20.20,
// §20.30, §20.34, §20.39): name-addr or addr-spec followed by parameters.
#include "sip/find_byte.hpp"
#include "sip/header_grammar.hpp"
#include "sip/headers.hpp"

namespace sippay::sip {
namespace {

using grammar::quote_for_error;

enum class Form { kAny, kBracketedOnly };

// display-name = *(token LWS) / quoted-string. Returns with the cursor at
// the "<" that must follow. RFC 4475 §3.1.1.6 asks receivers to accept a
// token display name with no LWS before "<", as deployed stacks send it.
std::optional<ParseError> scan_display_name(Scanner& s, NameAddr& address) {
  const std::size_t start = s.pos();
  if (s.peek() == '"') {
    const char* error = nullptr;
    address.display_name = s.take_quoted_string(error);
    if (error != nullptr) return s.error_at(start, std::string(error) + " in display name");
    s.skip_lws();
  } else {
    std::size_t end = start;
    while (!s.at_end() && charset::is_token(s.peek())) {
      s.take_token();
      end = s.pos();
      s.skip_lws();
    }
    address.display_name = s.slice(start, end);
  }
  if (s.at_end()) return s.error("expected '<' after display name");
  if (s.peek() == '<') return std::nullopt;
  if (s.pos() == start) {
    return s.error("expected an address, not " + quote_for_error(s.rest().substr(0, 1)));
  }
  return s.error("invalid character " + quote_for_error(s.rest().substr(0, 1)) +
                 " in display name: quote the display name or remove the character");
}

// LAQUOT addr-spec RAQUOT, with the cursor at "<".
std::optional<ParseError> scan_bracketed_uri(Scanner& s, NameAddr& address) {
  s.advance();  // "<"
  const std::size_t uri_start = s.pos();
  const std::size_t close = find_byte(s.text().data(), uri_start, s.text().size(), '>');
  if (close == s.text().size()) return s.error("missing '>' after URI");
  const std::string_view uri_text = s.slice(uri_start, close);
  // LAQUOT and RAQUOT take whitespace outside the brackets only (§25.1).
  for (const std::size_t edge : {uri_start, close - 1}) {
    if (close > uri_start && (charset::is_ws(s.text()[edge]) || s.text()[edge] == '\r')) {
      return s.error_at(edge, "whitespace is not allowed inside '<' and '>'");
    }
  }
  if (auto e = parse_uri_into_empty(uri_text, s.offset(), address.uri)) return e;
  address.bracketed = true;
  s.set_pos(close + 1);
  return std::nullopt;
}

// addr-spec without brackets: the URI ends at ";", "," or whitespace, and
// §20 forbids it to contain those or "?".
std::optional<ParseError> scan_bare_uri(Scanner& s, NameAddr& address, bool in_list) {
  const std::size_t uri_start = s.pos();
  while (!s.at_end()) {
    const char c = s.peek();
    if (c == ';' || c == ' ' || c == '\t' || c == '\r' || (in_list && c == ',')) break;
    s.advance();
  }
  const std::string_view uri_text = s.slice(uri_start, s.pos());
  if (uri_text.find_first_of("?,") != std::string_view::npos) {
    return s.error_at(uri_start, "a URI containing '?' or ',' must be enclosed in '<' and '>'");
  }
  return parse_uri_into_empty(uri_text, s.offset() - uri_text.size(), address.uri);
}

// name-addr / addr-spec at the cursor. Parameters are scanned by the caller.
std::optional<ParseError> scan_address(Scanner& s, NameAddr& address, Form form, bool in_list) {
  if (s.at_end()) return s.error("missing address");
  if (s.peek() == '<') return scan_bracketed_uri(s, address);
  if (s.peek() != '"') {
    // A scheme followed by ":" is an addr-spec; tokens then "<" a display name.
    const std::size_t start = s.pos();
    s.take_token();
    const bool is_addr_spec = !s.at_end() && s.peek() == ':';
    s.set_pos(start);
    if (is_addr_spec && form == Form::kBracketedOnly) {
      return s.error("the URI must be enclosed in '<' and '>' in this header");
    }
    if (is_addr_spec) return scan_bare_uri(s, address, in_list);
  }
  if (auto e = scan_display_name(s, address)) return e;
  return scan_bracketed_uri(s, address);
}

// One element with its parameters; `on_param` receives each parameter.
template <typename OnParam>
std::optional<ParseError> scan_element(Scanner& s, NameAddr& address, Form form, bool in_list,
                                       OnParam&& on_param) {
  const std::size_t start = s.pos();
  if (auto e = scan_address(s, address, form, in_list)) return e;
  const std::size_t params_start = s.pos();
  auto e = grammar::scan_generic_params(
      s, in_list,
      [&](std::string_view name, std::string_view value, bool has_value, std::size_t pos) {
        if (charset::token_iequals(name, "tag")) {
          if (!has_value || !charset::all_of(value, charset::kToken)) {
            return std::optional<ParseError>(s.error_at(pos, "tag parameter must be a token"));
          }
          if (address.has_tag) {
            return std::optional<ParseError>(s.error_at(pos, "duplicate tag parameter"));
          }
          address.tag = value;
          address.has_tag = true;
        }
        return on_param(name, value, has_value, pos);
      });
  if (e) return e;
  address.params = ParamList(s.slice(params_start, s.pos()), ParamList::Style::kHeader);
  address.text = s.slice(start, s.pos());
  return std::nullopt;
}

std::optional<ParseError> no_more_params(std::string_view, std::string_view, bool, std::size_t) {
  return std::nullopt;
}

// Moves past the COMMA between list elements. Returns false at the end.
bool next_element(Scanner& s, std::optional<ParseError>& error) {
  if (s.consume_separator(',')) return true;
  s.skip_lws();
  if (!s.at_end()) error = s.error("unexpected text after address");
  return false;
}

// c-p-q = "q" EQUAL qvalue; qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
std::optional<int> parse_qvalue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  int thousandths = (text[0] - '0') * 1000;
  if (text.size() == 1) return thousandths;
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  int scale = 100;
  for (char c : text.substr(2)) {
    if (!charset::is_digit(c)) return std::nullopt;
    thousandths += (c - '0') * scale;
    scale /= 10;
  }
  return thousandths <= 1000 ? std::optional<int>(thousandths) : std::nullopt;
}

}  // namespace

std::optional<ParseError> parse_from_to_into(std::string_view value, std::size_t base,
                                             NameAddr& address) {
  Scanner s(value, base);
  if (auto e = scan_element(s, address, Form::kAny, false, no_more_params)) return e;
  s.skip_lws();
  if (!s.at_end()) return s.error("unexpected text after address");
  return std::nullopt;
}

Result<NameAddr> parse_from_to(std::string_view value, std::size_t base) {
  Result<NameAddr> result{std::in_place};
  if (auto e = parse_from_to_into(value, base, result.value())) result = std::move(*e);
  return result;
}

std::optional<ParseError> parse_route(std::string_view value, std::size_t base,
                                      std::vector<NameAddr>& out) {
  Scanner s(value, base);
  std::optional<ParseError> error;
  do {
    // Parsed in place; an element that fails is removed again.
    NameAddr& address = out.emplace_back(kEmptyNameAddr);
    if (auto e = scan_element(s, address, Form::kBracketedOnly, true, no_more_params)) {
      out.pop_back();
      return e;
    }
  } while (next_element(s, error));
  return error;
}

std::optional<ParseError> parse_contact(std::string_view value, std::size_t base,
                                        std::vector<Contact>& out, bool& star) {
  if (value == "*") {
    star = true;
    return std::nullopt;
  }
  Scanner s(value, base);
  std::optional<ParseError> error;
  do {
    // Parsed in place; an element that fails is removed again.
    Contact& contact = out.emplace_back(kEmptyContact);
    auto on_param = [&](std::string_view name, std::string_view param_value, bool has_value,
                        std::size_t pos) -> std::optional<ParseError> {
      // Duplicates would let the typed field and ParamList::find, which
      // returns the first match, read different values.
      if (charset::token_iequals(name, "q")) {
        if (contact.q_thousandths >= 0) return s.error_at(pos, "duplicate q parameter");
        const auto q = has_value ? parse_qvalue(param_value) : std::nullopt;
        if (!q) {
          return s.error_at(pos, "q value " + quote_for_error(param_value) +
                                     " must be 0 to 1 with at most 3 decimals");
        }
        contact.q_thousandths = *q;
      } else if (charset::token_iequals(name, "expires")) {
        if (contact.expires) return s.error_at(pos, "duplicate expires parameter");
        const auto expires =
            has_value ? grammar::to_unsigned(param_value, UINT32_MAX) : std::nullopt;
        if (!expires) {
          return s.error_at(pos, "expires value " + quote_for_error(param_value) +
                                     " must be 0 to 4294967295 seconds");
        }
        contact.expires = static_cast<std::uint32_t>(*expires);
      }
      return std::nullopt;
    };
    std::optional<ParseError> e;
    if (!s.at_end() && s.peek() == '*') {
      e = s.error("'*' must be the only Contact value");
    } else {
      e = scan_element(s, contact.address, Form::kAny, true, on_param);
    }
    if (e) {
      out.pop_back();
      return e;
    }
  } while (next_element(s, error));
  return error;
}

}  // namespace sippay::sip
