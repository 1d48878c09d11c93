// Single-value and token-list headers: Call-ID, CSeq, the integer headers,
// Content-Type, Content-Disposition, option-tag and method lists, Date,
// User-Agent and Server, and the text check for every other header
// (RFC 3261 §20, grammar §25.1).
#include "sip/header_grammar.hpp"
#include "sip/headers.hpp"
#include "sip/utf8.hpp"

namespace sippay::sip {
namespace {

using grammar::quote_for_error;

std::optional<ParseError> expect_end(Scanner& s, std::string_view after) {
  s.skip_lws();
  if (s.at_end()) return std::nullopt;
  return s.error("unexpected " + quote_for_error(s.rest()) + " after " + std::string(after));
}

// Scans *(SEMI m-parameter), m-parameter = m-attribute EQUAL m-value, where
// m-value is a token or a quoted-string (§25.1).
std::optional<ParseError> scan_media_params(Scanner& s, ParamList& params) {
  const std::size_t start = s.pos();
  auto e = grammar::scan_generic_params(
      s, false,
      [&](std::string_view name, std::string_view value, bool has_value,
          std::size_t pos) -> std::optional<ParseError> {
        if (!has_value) {
          return s.error_at(pos, "parameter " + quote_for_error(name) + " needs a value");
        }
        if (value.front() == '[') {
          return s.error_at(pos, "parameter value must be a token or quoted string");
        }
        return std::nullopt;
      });
  if (e) return e;
  params = ParamList(s.slice(start, s.pos()), ParamList::Style::kHeader);
  return std::nullopt;
}

// Scans *(SEMI disp-param), disp-param = handling-param / generic-param, and
// picks out handling = "handling" EQUAL ( "optional" / "required" / token )
// (§25.1). A second handling is rejected so that `handling` and
// ParamList::find, which returns the first match, read the same value.
std::optional<ParseError> scan_disposition_params(Scanner& s, ContentDisposition& disposition) {
  const std::size_t start = s.pos();
  bool has_handling = false;
  auto e = grammar::scan_generic_params(
      s, false,
      [&](std::string_view name, std::string_view value, bool has_value,
          std::size_t pos) -> std::optional<ParseError> {
        if (!charset::token_iequals(name, "handling")) return std::nullopt;
        if (has_handling) return s.error_at(pos, "duplicate handling parameter");
        if (!has_value || value.front() == '"' || value.front() == '[') {
          return s.error_at(pos, "handling parameter must be a token such as \"required\"");
        }
        has_handling = true;
        disposition.handling = value;
        return std::nullopt;
      });
  if (e) return e;
  disposition.params = ParamList(s.slice(start, s.pos()), ParamList::Style::kHeader);
  return std::nullopt;
}

// comment = LPAREN *(ctext / quoted-pair / comment) RPAREN, at the "(".
std::optional<ParseError> scan_comment(Scanner& s) {
  int depth = 0;
  const std::size_t start = s.pos();
  while (!s.at_end()) {
    const char c = s.peek();
    if (c == '(') {
      ++depth;
      s.advance();
    } else if (c == ')') {
      s.advance();
      if (--depth == 0) return std::nullopt;
    } else if (c == '\\') {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
      if (s.pos() + 1 >= s.text().size()) break;
      const auto escaped = static_cast<unsigned char>(s.text()[s.pos() + 1]);
      if (escaped == '\r' || escaped == '\n' || escaped > 0x7F) {
        return s.error("invalid escaped character in comment");
      }
      s.advance(2);
    } else if (s.skip_lws()) {
      continue;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      const std::size_t length = utf8_sequence_length(s.text(), s.pos());
      if (length == 0) return s.error("invalid UTF-8 in comment");
      s.advance(length);
    } else if (static_cast<unsigned char>(c) < 0x21 || c == 0x7F) {
      return s.error("control character in comment");
    } else {
      s.advance();
    }
  }
  return s.error_at(start, "unterminated comment");
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to a date of the proleptic Gregorian calendar,
// counted in 400-year eras of 146097 days.
std::int64_t days_since_epoch(int year, int month, int day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int year_of_era = y - era * 400;
  const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return static_cast<std::int64_t>(era) * 146097 + day_of_era - 719468;
}

}  // namespace

Result<std::string_view> parse_call_id(std::string_view value, std::size_t base) {
  // callid = word [ "@" word ]
  Scanner s(value, base);
  const std::string_view first = s.take_while(charset::kWord);
  if (first.empty()) return s.error("Call-ID must start with a word character");
  if (s.consume('@') && s.take_while(charset::kWord).empty()) {
    return s.error("Call-ID needs a word after '@'");
  }
  if (!s.at_end()) {
    return s.error("invalid character " + quote_for_error(s.rest().substr(0, 1)) + " in Call-ID");
  }
  return value;
}

Result<CSeq> parse_cseq(std::string_view value, std::size_t base) {
  // CSeq = 1*DIGIT LWS Method; the number is below 2**31 (§8.1.1.5).
  Scanner s(value, base);
  const std::string_view digits = s.take_while(charset::kDigit);
  const auto number = grammar::to_unsigned(digits, 0x7FFFFFFF);
  if (!number) {
    return s.error_at(0, "CSeq number " + quote_for_error(digits) + " must be 0 to 2147483647");
  }
  if (!s.skip_lws()) return s.error("expected whitespace between CSeq number and method");
  CSeq cseq;
  cseq.number = static_cast<std::uint32_t>(*number);
  cseq.method = s.take_token();
  if (cseq.method.empty()) return s.error("missing CSeq method");
  if (auto e = expect_end(s, "CSeq method")) return std::move(*e);
  return cseq;
}

Result<std::uint64_t> parse_unsigned(std::string_view value, std::size_t base, std::uint64_t max,
                                     std::string_view what) {
  const auto number = grammar::to_unsigned(value, max);
  if (!number) {
    Scanner s(value, base);
    return s.error(std::string(what) + " value " + quote_for_error(value) +
                   " must be a number from 0 to " + std::to_string(max));
  }
  return *number;
}

Result<MediaType> parse_media_type(std::string_view value, std::size_t base) {
  // media-type = m-type SLASH m-subtype *(SEMI m-parameter)
  Scanner s(value, base);
  MediaType media;
  media.type = s.take_token();
  if (media.type.empty()) return s.error("missing media type");
  if (!s.consume_separator('/')) return s.error("expected '/' after media type");
  media.subtype = s.take_token();
  if (media.subtype.empty()) return s.error("missing media subtype");
  if (auto e = scan_media_params(s, media.params)) return std::move(*e);
  return media;
}

Result<ContentDisposition> parse_content_disposition(std::string_view value, std::size_t base) {
  // Content-Disposition = disp-type *( SEMI disp-param )
  Scanner s(value, base);
  ContentDisposition disposition;
  disposition.disposition_type = s.take_token();
  if (disposition.disposition_type.empty()) return s.error("missing disposition type");
  if (auto e = scan_disposition_params(s, disposition)) return std::move(*e);
  return disposition;
}

std::optional<ParseError> parse_token_list(std::string_view value, std::size_t base,
                                           bool allow_empty, std::vector<std::string_view>& out) {
  Scanner s(value, base);
  if (value.empty()) {
    if (allow_empty) return std::nullopt;
    return s.error("missing value: expected a comma-separated list of tokens");
  }
  do {
    const std::string_view token = s.take_token();
    if (token.empty()) return s.error("expected a token in the list");
    out.push_back(token);
  } while (s.consume_separator(','));
  return expect_end(s, "token list");
}

Result<SipDate> parse_date(std::string_view value, std::size_t base) {
  // rfc1123-date = wkday "," SP date1 SP time SP "GMT"
  // date1 = 2DIGIT SP month SP 4DIGIT; time = 2DIGIT ":" 2DIGIT ":" 2DIGIT
  // The names compare without regard to case, as all ABNF strings do.
  // NOTE: the weekday is not checked against the date.
  static constexpr std::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  Scanner s(value, base);
  auto fail = [&] {
    return s.error_at(
        0, "Date " + quote_for_error(value) +
               " is not an RFC 1123 date in GMT such as \"Sat, 13 Nov 2010 23:29:00 GMT\"");
  };
  if (value.size() != 29) return fail();

  bool day_ok = false;
  for (std::string_view day : kDays) day_ok = day_ok || charset::iequals(value.substr(0, 3), day);
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (charset::iequals(value.substr(8, 3), kMonths[i])) month = i + 1;
  }
  auto number = [&](std::size_t pos, std::size_t count) -> int {
    const auto n = grammar::to_unsigned(value.substr(pos, count), 9999);
    return n ? static_cast<int>(*n) : -1;
  };

  SipDate date;
  date.day = number(5, 2);
  date.month = month;
  date.year = number(12, 4);
  date.hour = number(17, 2);
  date.minute = number(20, 2);
  date.second = number(23, 2);

  const bool separators_ok = value.substr(3, 2) == ", " && value[7] == ' ' && value[11] == ' ' &&
                             value[16] == ' ' && value[19] == ':' && value[22] == ':' &&
                             charset::iequals(value.substr(25), " GMT");
  if (!day_ok || month == 0 || !separators_ok || date.day < 1 || date.year < 0 ||
      date.day > days_in_month(date.year, date.month) || date.hour < 0 || date.hour > 23 ||
      date.minute < 0 || date.minute > 59 || date.second < 0 || date.second > 60) {
    return fail();
  }

  date.unix_seconds = days_since_epoch(date.year, date.month, date.day) * 86400 + date.hour * 3600 +
                      date.minute * 60 + date.second;
  return date;
}

std::optional<ParseError> check_server_value(std::string_view value, std::size_t base) {
  // server-val *(LWS server-val); server-val = product / comment;
  // product = token [SLASH product-version]
  Scanner s(value, base);
  if (value.empty()) return s.error("missing value: expected a product or comment");
  while (!s.at_end()) {
    if (s.peek() == '(') {
      if (auto e = scan_comment(s)) return e;
    } else if (s.peek() == ')') {
      return s.error("unbalanced ')' without a matching '('");
    } else {
      if (s.take_token().empty()) {
        return s.error("invalid character " + quote_for_error(s.rest().substr(0, 1)) +
                       ": expected a product token or a comment");
      }
      if (s.consume_separator('/') && s.take_token().empty()) {
        return s.error("missing product version after '/'");
      }
    }
    if (!s.skip_lws() && !s.at_end() && s.peek() != ')') {
      return s.error("invalid character " + quote_for_error(s.rest().substr(0, 1)) +
                     ": expected whitespace between products and comments");
    }
  }
  return std::nullopt;
}

std::optional<ParseError> check_header_text(std::string_view value, std::size_t base) {
  // header-value = *(TEXT-UTF8char / UTF8-CONT / LWS). A UTF8-CONT byte
  // outside a sequence is rejected as invalid UTF-8 (see utf8_sequence_length).
  Scanner s(value, base);
  while (!s.at_end()) {
    const auto c = static_cast<unsigned char>(s.peek());
    if (c >= 0x21 && c <= 0x7E) {
      s.advance();
    } else if (s.skip_lws()) {
      continue;
    } else if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(s.text(), s.pos());
      if (length == 0) return s.error("invalid UTF-8 in header value");
      s.advance(length);
    } else {
      return s.error("control character " + quote_for_error(s.rest().substr(0, 1)) +
                     " in header value");
    }
  }
  return std::nullopt;
}

}  // namespace sippay::sip
