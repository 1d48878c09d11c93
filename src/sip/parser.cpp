// Message parsing (RFC 3261 §7): start line, header fields, body framing
// by Content-Length (§18.3), and the checks of §8.1.1 that make a message
// usable at all.
#include "sip/find_byte.hpp"
#include "sip/header_grammar.hpp"
#include "sip/header_name_table.hpp"
#include "sip/message.hpp"
#include "sip/start_line.hpp"

namespace sippay::sip {

class MessageParser {
 public:
  MessageParser(std::string_view bytes, Message& out, const ParseLimits& limits, Framing framing)
      : bytes_(bytes), out_(out), limits_(limits), framing_(framing) {}

  std::optional<ParseError> run();

 private:
  std::optional<ParseError> parse_start_line(std::size_t& pos);
  std::optional<ParseError> parse_header_section(std::size_t& pos);
  // Always inlined into the loop over header fields, which saves a call and
  // its register saves per field.
  [[gnu::always_inline]] std::optional<ParseError> parse_header(HeaderField& field);
  // Records that `field` repeats a single-value header, or returns the error
  // for a repeated Content-Length.
  std::optional<ParseError> report_repeat(const HeaderField& field);
  std::optional<ParseError> check_cseq_method() const;
  void check_required_headers();
  std::optional<ParseError> frame_body(std::size_t body_start);

  // The end of the line that starts at `pos`: the position of its CRLF.
  // Reports a bare LF, which §7 does not allow, as an error. Defined in the
  // class so that it inlines into the loop over header fields.
  std::optional<ParseError> find_line_end(std::size_t pos, std::size_t& crlf) {
    const std::size_t lf = find_byte(bytes_.data(), pos, bytes_.size(), '\n');
    if (lf == bytes_.size() || lf == pos || bytes_[lf - 1] != '\r') [[unlikely]] {
      return line_end_error(lf);
    }
    crlf = lf - 1;
    return std::nullopt;
  }
  // The error for a line that `find_line_end` rejects: no LF at all (`lf` is
  // the message size) or an LF without CR before it.
  [[gnu::cold, gnu::noinline]] ParseError line_end_error(std::size_t lf) const;
  ParseError error_at(std::size_t offset, std::string reason, int status = 400) const;

  std::string_view bytes_;
  Message& out_;
  const ParseLimits& limits_;
  Framing framing_;
  // Bit `id` is set once a single-value header with that HeaderId was seen.
  std::uint64_t single_seen_ = 0;
  static_assert(static_cast<std::size_t>(HeaderId::kCount) <= 64);
};

namespace {

using grammar::quote_for_error;

constexpr std::uint64_t id_bit(HeaderId id) {
  return std::uint64_t{1} << static_cast<unsigned>(id);
}

// The headers that are not comma-separated lists, as a set of id_bit values.
constexpr std::uint64_t kSingleValued =
    id_bit(HeaderId::kFrom) | id_bit(HeaderId::kTo) | id_bit(HeaderId::kCallId) |
    id_bit(HeaderId::kCSeq) | id_bit(HeaderId::kMaxForwards) | id_bit(HeaderId::kContentLength) |
    id_bit(HeaderId::kContentType) | id_bit(HeaderId::kContentDisposition) |
    id_bit(HeaderId::kExpires) | id_bit(HeaderId::kMinExpires) | id_bit(HeaderId::kDate) |
    id_bit(HeaderId::kAuthenticationInfo) | id_bit(HeaderId::kUserAgent) |
    id_bit(HeaderId::kServer);

// Stores a parsed single-value header in `slot`, unless it repeats an
// earlier one, which keeps its value.
template <typename T>
std::optional<ParseError> store(Result<T> result, std::optional<T>& slot, bool duplicate) {
  if (!result) return result.take_error();
  if (!duplicate) slot.emplace(std::move(result.value()));
  return std::nullopt;
}

std::optional<ParseError> store_u32(std::string_view value, std::size_t base, std::string_view what,
                                    std::optional<std::uint32_t>& slot, bool duplicate) {
  auto number = parse_unsigned(value, base, UINT32_MAX, what);
  if (!number) return number.take_error();
  if (!duplicate) slot = static_cast<std::uint32_t>(*number);
  return std::nullopt;
}

// From and To, parsed in place into `slot`, or into a discarded value when
// the header repeats an earlier one.
std::optional<ParseError> store_name_addr(std::string_view value, std::size_t base,
                                          std::optional<NameAddr>& slot, bool duplicate) {
  if (duplicate) [[unlikely]] {
    NameAddr discarded = kEmptyNameAddr;
    return parse_from_to_into(value, base, discarded);
  }
  auto e = parse_from_to_into(value, base, slot.emplace(kEmptyNameAddr));
  if (e) slot.reset();
  return e;
}

// Runs `parse`, which appends the elements of `field` to `list`, and records
// in `field` where they are. Single-value and unknown headers keep 0 and 0.
template <typename T, typename Parse>
std::optional<ParseError> append_elements(HeaderField& field, const std::vector<T>& list,
                                          Parse&& parse) {
  const std::size_t before = list.size();
  auto e = parse();
  field.first_element = static_cast<std::uint32_t>(before);
  field.element_count = static_cast<std::uint32_t>(list.size() - before);
  return e;
}

std::optional<ParseError> append_auth(std::string_view value, std::size_t base, bool is_challenge,
                                      std::vector<AuthHeader>& out) {
  auto e = parse_auth_header_into(value, base, is_challenge, out.emplace_back(kEmptyAuthHeader));
  if (e) out.pop_back();
  return e;
}

}  // namespace

ParseError MessageParser::error_at(std::size_t offset, std::string reason, int status) const {
  ParseError e;
  e.status_code = status;
  e.offset = offset;
  e.reason = std::move(reason);
  return e;
}

ParseError MessageParser::line_end_error(std::size_t lf) const {
  if (lf == bytes_.size()) {
    return error_at(lf, "message ends before the empty line that closes the header section");
  }
  return error_at(lf, "line ends with LF without CR");
}

std::optional<ParseError> MessageParser::run() {
  if (bytes_.size() > limits_.max_message_bytes) {
    return error_at(limits_.max_message_bytes,
                    "message of " + std::to_string(bytes_.size()) + " bytes exceeds the limit of " +
                        std::to_string(limits_.max_message_bytes),
                    513);
  }
  std::size_t pos = 0;
  if (auto e = parse_start_line(pos)) return e;
  if (auto e = parse_header_section(pos)) return e;
  if (auto e = check_cseq_method()) return e;
  check_required_headers();
  return frame_body(pos);
}

std::optional<ParseError> MessageParser::parse_start_line(std::size_t& pos) {
  std::size_t crlf = 0;
  if (auto e = find_line_end(0, crlf)) return e;
  if (crlf > limits_.max_header_line_bytes) {
    return error_at(0,
                    "start line exceeds the limit of " +
                        std::to_string(limits_.max_header_line_bytes) + " bytes",
                    513);
  }
  if (crlf == 0) return error_at(0, "empty start line");
  const std::string_view line = bytes_.substr(0, crlf);
  if (const std::size_t cr = find_byte(line.data(), 0, line.size(), '\r'); cr != line.size()) {
    return error_at(cr, "CR inside the start line");
  }
  out_.is_request_ = !looks_like_status_line(line);
  pos = crlf + 2;
  return out_.is_request_ ? parse_request_line(line, out_.request_line_)
                          : parse_status_line(line, out_.status_line_);
}

std::optional<ParseError> MessageParser::parse_header_section(std::size_t& pos) {
  // Locals, because the compiler cannot keep members in registers across
  // the calls that write to the Message.
  const char* const data = bytes_.data();
  const std::size_t size = bytes_.size();
  const std::size_t max_line_bytes = limits_.max_header_line_bytes;
  const std::size_t max_header_count = limits_.max_header_count;
  std::vector<HeaderField>& headers = out_.headers_;
  std::size_t header_count = headers.size();
  std::size_t line = pos;
  // Only the first line can start with whitespace: the loop below takes
  // every later such line as the continuation of a folded field.
  if (line < size && (data[line] == ' ' || data[line] == '\t')) {
    std::size_t crlf = 0;
    if (auto e = find_line_end(line, crlf)) return e;
    return error_at(line, "header line starts with whitespace but follows no header");
  }
  while (true) {
    std::size_t crlf = 0;
    if (auto e = find_line_end(line, crlf)) return e;
    if (crlf == line) {  // the empty line
      pos = line + 2;
      return std::nullopt;
    }
    // A field continues over folded lines: CRLF followed by SP or HTAB (§7.3.1).
    while (crlf + 2 < size && (data[crlf + 2] == ' ' || data[crlf + 2] == '\t')) {
      if (auto e = find_line_end(crlf + 2, crlf)) return e;
    }
    // A limit is the receiver's capacity, so exceeding it gives 513 (§21.5.7), not 400.
    if (crlf - line > max_line_bytes) {
      return error_at(
          line, "header field exceeds the limit of " + std::to_string(max_line_bytes) + " bytes",
          513);
    }
    if (header_count >= max_header_count) {
      return error_at(
          line, "more than the limit of " + std::to_string(max_header_count) + " header fields",
          513);
    }

    // header-name HCOLON: HCOLON = *( SP / HTAB ) ":" SWS
    const char* const line_end = data + crlf;
    const char* p = charset::skip_class(data + line, line_end, charset::kToken);
    const std::string_view name(data + line, static_cast<std::size_t>(p - (data + line)));
    if (name.empty()) {
      const std::string_view text(data + line, crlf - line);
      return error_at(line,
                      "invalid header name " + quote_for_error(text.substr(0, text.find(':'))));
    }
    while (p != line_end && (*p == ' ' || *p == '\t')) ++p;
    if (p == line_end || *p != ':') {
      ParseError e = error_at(static_cast<std::size_t>(p - data),
                              "expected ':' after header name " + quote_for_error(name));
      e.header_name = std::string(name);
      return e;
    }
    ++p;

    // The value without SP, HTAB and folded line breaks at either end.
    while (p != line_end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) ++p;
    const char* value_end = line_end;
    while (value_end != p && (value_end[-1] == ' ' || value_end[-1] == '\t' ||
                              value_end[-1] == '\r' || value_end[-1] == '\n')) {
      --value_end;
    }

    // The field is stored before its value is parsed, so parse_header fills
    // it in place. On error the whole Message is cleared.
    HeaderField& field = headers.emplace_back();
    ++header_count;
    field.id = header_table::find_header_id(name);
    field.name = name;
    field.value = {p, static_cast<std::size_t>(value_end - p)};
    field.offset = static_cast<std::uint32_t>(line);
    if (auto e = parse_header(field)) {
      e->header_name = std::string(name);
      return e;
    }
    line = crlf + 2;
  }
}

std::optional<ParseError> MessageParser::report_repeat(const HeaderField& field) {
  // A repeat is checked for syntax and recorded as a semantic error, except
  // Content-Length, where two values leave the body boundary undefined.
  if (field.id == HeaderId::kContentLength) {
    return error_at(field.offset,
                    "Content-Length appears more than once, so the body length is undefined");
  }
  if (!out_.semantic_error_) {
    ParseError e = error_at(field.offset, "header may appear only once");
    e.header_name = std::string(field.name);
    out_.semantic_error_ = std::move(e);
  }
  return std::nullopt;
}

inline std::optional<ParseError> MessageParser::parse_header(HeaderField& field) {
  const std::string_view v = field.value;
  const std::size_t base = static_cast<std::size_t>(v.data() - bytes_.data());
  Message& m = out_;

  // §7.3: a header that is not a comma-separated list appears at most once.
  const bool duplicate = (kSingleValued & id_bit(field.id) & single_seen_) != 0;
  single_seen_ |= id_bit(field.id);
  if (duplicate) {
    if (auto e = report_repeat(field)) return e;
  }

  switch (field.id) {
    case HeaderId::kVia:
      return append_elements(field, m.vias_, [&] { return parse_via(v, base, m.vias_); });
    case HeaderId::kFrom:
      return store_name_addr(v, base, m.from_, duplicate);
    case HeaderId::kTo:
      return store_name_addr(v, base, m.to_, duplicate);
    case HeaderId::kCallId: {
      auto call_id = parse_call_id(v, base);
      if (!call_id) return call_id.take_error();
      if (!duplicate) m.call_id_ = *call_id;
      return std::nullopt;
    }
    case HeaderId::kCSeq:
      return store(parse_cseq(v, base), m.cseq_, duplicate);
    case HeaderId::kMaxForwards: {
      // Max-Forwards = 1*DIGIT, 0 to 255 (§20.22). parse_unsigned, whose
      // Result costs more than the digits, only builds the error.
      const auto hops = grammar::to_unsigned(v, 255);
      if (!hops) return parse_unsigned(v, base, 255, "Max-Forwards").take_error();
      if (!duplicate) m.max_forwards_ = static_cast<std::uint32_t>(*hops);
      return std::nullopt;
    }
    case HeaderId::kContentLength: {
      const auto length = grammar::to_unsigned(v, UINT32_MAX);
      if (!length) return parse_unsigned(v, base, UINT32_MAX, "Content-Length").take_error();
      m.content_length_ = static_cast<std::size_t>(*length);
      return std::nullopt;
    }
    case HeaderId::kExpires:
      return store_u32(v, base, "Expires", m.expires_, duplicate);
    case HeaderId::kMinExpires:
      return store_u32(v, base, "Min-Expires", m.min_expires_, duplicate);
    case HeaderId::kContact: {
      // §10.3 step 6: "*" is the only Contact value of a message, across
      // all its Contact fields.
      const bool had_star = m.contact_star_;
      const std::size_t had_contacts = m.contacts_.size();
      if (auto e = append_elements(field, m.contacts_, [&] {
            return parse_contact(v, base, m.contacts_, m.contact_star_);
          })) {
        return e;
      }
      if ((had_star && (m.contacts_.size() > had_contacts || v == "*")) ||
          (m.contact_star_ && had_contacts > 0)) {
        return error_at(field.offset, "Contact '*' must be the only Contact value in the message");
      }
      return std::nullopt;
    }
    case HeaderId::kRoute:
      return append_elements(field, m.routes_, [&] { return parse_route(v, base, m.routes_); });
    case HeaderId::kRecordRoute:
      return append_elements(field, m.record_routes_, [&] { return parse_route(v, base, m.record_routes_); });
    case HeaderId::kContentType:
      return store(parse_media_type(v, base), m.content_type_, duplicate);
    case HeaderId::kContentDisposition:
      return store(parse_content_disposition(v, base), m.content_disposition_, duplicate);
    case HeaderId::kRequire:
      return append_elements(field, m.require_,
                             [&] { return parse_token_list(v, base, false, m.require_); });
    case HeaderId::kProxyRequire:
      return append_elements(field, m.proxy_require_,
                             [&] { return parse_token_list(v, base, false, m.proxy_require_); });
    case HeaderId::kSupported:
      return append_elements(field, m.supported_,
                             [&] { return parse_token_list(v, base, true, m.supported_); });
    case HeaderId::kUnsupported:
      return append_elements(field, m.unsupported_,
                             [&] { return parse_token_list(v, base, false, m.unsupported_); });
    case HeaderId::kAllow:
      return append_elements(field, m.allow_,
                             [&] { return parse_token_list(v, base, true, m.allow_); });
    case HeaderId::kContentEncoding:
      return append_elements(field, m.content_encoding_,
                             [&] { return parse_token_list(v, base, false, m.content_encoding_); });
    case HeaderId::kWwwAuthenticate:
      return append_elements(field, m.www_authenticate_,
                             [&] { return append_auth(v, base, true, m.www_authenticate_); });
    case HeaderId::kProxyAuthenticate:
      return append_elements(field, m.proxy_authenticate_,
                             [&] { return append_auth(v, base, true, m.proxy_authenticate_); });
    case HeaderId::kAuthorization:
      return append_elements(field, m.authorization_,
                             [&] { return append_auth(v, base, false, m.authorization_); });
    case HeaderId::kProxyAuthorization:
      return append_elements(field, m.proxy_authorization_,
                             [&] { return append_auth(v, base, false, m.proxy_authorization_); });
    case HeaderId::kAuthenticationInfo:
      return store(parse_authentication_info(v, base), m.authentication_info_, duplicate);
    case HeaderId::kDate:
      return store(parse_date(v, base), m.date_, duplicate);
    case HeaderId::kUserAgent:
      if (!duplicate) m.user_agent_ = v;
      return check_server_value(v, base);
    case HeaderId::kServer:
      if (!duplicate) m.server_ = v;
      return check_server_value(v, base);
    default:
      return check_header_text(v, base);
  }
}

std::optional<ParseError> MessageParser::check_cseq_method() const {
  // §8.1.1.5: a request's CSeq method matches its method (RFC 4475 §3.1.2.17).
  if (!out_.is_request_ || !out_.cseq_ || out_.cseq_->method == out_.request_line_.method) {
    return std::nullopt;
  }
  const HeaderField* cseq = out_.find_header("CSeq");
  ParseError e = error_at(cseq->offset, "CSeq method " + quote_for_error(out_.cseq_->method) +
                                            " does not match request method " +
                                            quote_for_error(out_.request_line_.method));
  e.header_name = std::string(cseq->name);
  return e;
}

void MessageParser::check_required_headers() {
  // §8.1.1: To, From, CSeq, Call-ID and Via are mandatory in every request
  // and response. Their absence is a semantic error, as RFC 4475 §3.3.1
  // classes it: the syntax is valid, and a UAS or proxy answers 400.
  // NOTE: Max-Forwards is mandatory for a UAC to send, but a proxy adds it
  // when missing (§16.6 step 3), so its absence is accepted.
  if (out_.semantic_error_) return;
  struct Required {
    bool present;
    const char* name;
  };
  const Required required[] = {
      {!out_.vias_.empty(), "Via"},     {out_.from_.has_value(), "From"},
      {out_.to_.has_value(), "To"},     {!out_.call_id_.empty(), "Call-ID"},
      {out_.cseq_.has_value(), "CSeq"},
  };
  for (const Required& header : required) {
    if (!header.present) {
      ParseError e = error_at(0, std::string("missing required header ") + header.name);
      e.header_name = header.name;
      out_.semantic_error_ = std::move(e);
      return;
    }
  }
}

std::optional<ParseError> MessageParser::frame_body(std::size_t body_start) {
  const std::size_t available = bytes_.size() - body_start;
  if (!out_.content_length_) {
    if (framing_ == Framing::kStream) {
      ParseError e = error_at(body_start, "missing Content-Length, required on stream transports");
      e.header_name = "Content-Length";
      return e;
    }
    out_.body_ = bytes_.substr(body_start);
    out_.size_bytes_ = bytes_.size();
    return std::nullopt;
  }
  const std::size_t length = *out_.content_length_;
  if (length > available) {
    ParseError e =
        error_at(body_start, "Content-Length " + std::to_string(length) + " exceeds the " +
                                 std::to_string(available) + " bytes of body received");
    e.header_name = "Content-Length";
    return e;
  }
  // §18.3: bytes of a datagram beyond Content-Length are discarded.
  out_.body_ = bytes_.substr(body_start, length);
  out_.size_bytes_ = body_start + length;
  return std::nullopt;
}

std::optional<ParseError> parse_message_into(std::string_view bytes, Message& out,
                                             const ParseLimits& limits, Framing framing) {
  out.clear();
  auto error = MessageParser(bytes, out, limits, framing).run();
  if (error) out.clear();
  return error;
}

Result<Message> parse_message(std::string_view bytes, const ParseLimits& limits, Framing framing) {
  Message message;
  if (auto e = parse_message_into(bytes, message, limits, framing)) return std::move(*e);
  return message;
}

Result<Message> parse_message_owned(std::string bytes, const ParseLimits& limits, Framing framing) {
  auto storage = std::make_shared<const std::string>(std::move(bytes));
  Message message;
  if (auto e = parse_message_into(*storage, message, limits, framing)) return std::move(*e);
  message.storage_ = std::move(storage);
  return message;
}

}  // namespace sippay::sip
