// A parsed SIP message (RFC 3261 §7): start line, header fields in order,
// typed values of the headers sippay reads, and the body.
//
// A Message is a set of views into the bytes it was parsed from. Parse with
// `parse_message` when the caller keeps the bytes alive (the zero-copy path
// of the transports), or with `parse_message_owned` to let the Message own
// a copy. Typed values are filled at parse time, so
// every accessor is a lookup; a message that parsed is well formed in every
// header sippay reads.
//
// Thread safety: a const Message may be read from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sip/header_name.hpp"
#include "sip/headers.hpp"
#include "sip/limits.hpp"
#include "sip/parse_error.hpp"
#include "sip/uri.hpp"

namespace sippay::sip {

struct RequestLine {
  std::string_view method;
  Uri request_uri;
  std::string_view version;  // "SIP/2.0" as written
};

struct StatusLine {
  std::string_view version;
  int status_code = 0;  // 100..699
  std::string_view reason_phrase;
};

// One header field as written: the name (full or compact form) and the value
// with leading and trailing whitespace removed. Folded lines stay in the value.
struct HeaderField {
  HeaderId id = HeaderId::kUnknown;
  std::string_view name;
  std::string_view value;
  std::uint32_t offset = 0;  // of the name in the message
  // For list headers (Via, Contact, Route, Record-Route, token lists, auth
  // headers): this field's elements in the message's typed list, for
  // example `message.vias().subspan(first_element, element_count)`.
  std::uint32_t first_element = 0;
  std::uint32_t element_count = 0;
};

enum class Framing : std::uint8_t;

class Message {
 public:
  Message() = default;
  Message(const Message&) = default;
  Message& operator=(const Message&) = default;
  Message(Message&&) noexcept = default;
  Message& operator=(Message&&) noexcept = default;

  bool is_request() const { return is_request_; }
  // REQUIRES: is_request().
  const RequestLine& request_line() const { return request_line_; }
  std::string_view method() const { return request_line_.method; }
  // REQUIRES: !is_request().
  const StatusLine& status_line() const { return status_line_; }
  int status_code() const { return status_line_.status_code; }

  // Every header field in order, known and unknown.
  std::span<const HeaderField> headers() const { return headers_; }
  // The first field named `name` (any form, any case), or null.
  const HeaderField* find_header(std::string_view name) const;

  // Multi-value headers: the elements of every field of that name, in order,
  // whether they came on separate lines or comma-separated on one.
  std::span<const Via> vias() const { return vias_; }
  std::span<const NameAddr> routes() const { return routes_; }
  std::span<const NameAddr> record_routes() const { return record_routes_; }
  std::span<const Contact> contacts() const { return contacts_; }
  bool contact_is_star() const { return contact_star_; }
  std::span<const std::string_view> require() const { return require_; }
  std::span<const std::string_view> proxy_require() const { return proxy_require_; }
  std::span<const std::string_view> supported() const { return supported_; }
  std::span<const std::string_view> unsupported() const { return unsupported_; }
  std::span<const std::string_view> allow() const { return allow_; }
  std::span<const std::string_view> content_encoding() const { return content_encoding_; }
  std::span<const AuthHeader> www_authenticate() const { return www_authenticate_; }
  std::span<const AuthHeader> proxy_authenticate() const { return proxy_authenticate_; }
  std::span<const AuthHeader> authorization() const { return authorization_; }
  std::span<const AuthHeader> proxy_authorization() const { return proxy_authorization_; }

  // Single-value headers; null or nullopt when absent.
  const NameAddr* from() const { return opt(from_); }
  const NameAddr* to() const { return opt(to_); }
  std::string_view call_id() const { return call_id_; }
  const CSeq* cseq() const { return opt(cseq_); }
  std::optional<std::uint32_t> max_forwards() const { return max_forwards_; }
  std::optional<std::uint32_t> expires() const { return expires_; }
  std::optional<std::uint32_t> min_expires() const { return min_expires_; }
  std::optional<std::size_t> content_length() const { return content_length_; }
  const MediaType* content_type() const { return opt(content_type_); }
  const ContentDisposition* content_disposition() const { return opt(content_disposition_); }
  const AuthenticationInfo* authentication_info() const { return opt(authentication_info_); }
  const SipDate* date() const { return opt(date_); }
  std::string_view user_agent() const { return user_agent_; }
  std::string_view server() const { return server_; }

  std::string_view body() const { return body_; }

  // Why this syntactically valid message must still be rejected with 400
  // (RFC 3261 §8.1.1, §7.3; RFC 4475 §3.3): a missing To, From, Call-ID,
  // CSeq or Via, or a single-value header that appears twice. Null when none.
  // The first such problem is reported; a repeated header keeps its first value.
  const ParseError* semantic_error() const { return opt(semantic_error_); }

  // Empties the message but keeps its vectors' capacity for the next parse.
  void clear();
  // Bytes of the parsed input that belong to this message, start line to body end.
  std::size_t size_bytes() const { return size_bytes_; }

 private:
  friend class MessageParser;
  friend Result<Message> parse_message_owned(std::string bytes, const ParseLimits& limits,
                                             Framing framing);

  template <typename T>
  static const T* opt(const std::optional<T>& value) {
    return value ? &*value : nullptr;
  }

  std::shared_ptr<const std::string> storage_;  // set when the Message owns its bytes

  bool is_request_ = false;
  RequestLine request_line_;
  StatusLine status_line_;
  std::vector<HeaderField> headers_;

  std::vector<Via> vias_;
  std::vector<NameAddr> routes_;
  std::vector<NameAddr> record_routes_;
  std::vector<Contact> contacts_;
  bool contact_star_ = false;
  std::vector<std::string_view> require_;
  std::vector<std::string_view> proxy_require_;
  std::vector<std::string_view> supported_;
  std::vector<std::string_view> unsupported_;
  std::vector<std::string_view> allow_;
  std::vector<std::string_view> content_encoding_;
  std::vector<AuthHeader> www_authenticate_;
  std::vector<AuthHeader> proxy_authenticate_;
  std::vector<AuthHeader> authorization_;
  std::vector<AuthHeader> proxy_authorization_;

  std::optional<NameAddr> from_;
  std::optional<NameAddr> to_;
  std::string_view call_id_;
  std::optional<CSeq> cseq_;
  std::optional<std::uint32_t> max_forwards_;
  std::optional<std::uint32_t> expires_;
  std::optional<std::uint32_t> min_expires_;
  std::optional<std::size_t> content_length_;
  std::optional<MediaType> content_type_;
  std::optional<ContentDisposition> content_disposition_;
  std::optional<AuthenticationInfo> authentication_info_;
  std::optional<SipDate> date_;
  std::string_view user_agent_;
  std::string_view server_;

  std::string_view body_;
  std::size_t size_bytes_ = 0;
  std::optional<ParseError> semantic_error_;
};

// How the message arrived, which decides body framing (§18.3): a datagram's
// body without Content-Length runs to the end of the datagram; on a stream
// Content-Length is required.
enum class Framing : std::uint8_t { kDatagram, kStream };

// Parses one whole message. The returned Message views `bytes`, which the
// caller keeps alive and unchanged.
Result<Message> parse_message(std::string_view bytes, const ParseLimits& limits = {},
                              Framing framing = Framing::kDatagram);
inline Result<Message> parse_message(const char* bytes, const ParseLimits& limits = {},
                                     Framing framing = Framing::kDatagram) {
  return parse_message(std::string_view(bytes), limits, framing);
}
// A temporary string would be freed while the Message still views it; use
// parse_message_owned.
Result<Message> parse_message(std::string&& bytes, const ParseLimits& limits = {},
                              Framing framing = Framing::kDatagram) = delete;

// Parses into `out`, reusing its storage: the allocation-free path for a
// receive loop that parses many messages. On error `out` is left cleared.
std::optional<ParseError> parse_message_into(std::string_view bytes, Message& out,
                                             const ParseLimits& limits = {},
                                             Framing framing = Framing::kDatagram);
inline std::optional<ParseError> parse_message_into(const char* bytes, Message& out,
                                                    const ParseLimits& limits = {},
                                                    Framing framing = Framing::kDatagram) {
  return parse_message_into(std::string_view(bytes), out, limits, framing);
}
std::optional<ParseError> parse_message_into(std::string&& bytes, Message& out,
                                             const ParseLimits& limits = {},
                                             Framing framing = Framing::kDatagram) = delete;

// Parses a message that owns a copy of its bytes.
Result<Message> parse_message_owned(std::string bytes, const ParseLimits& limits = {},
                                    Framing framing = Framing::kDatagram);

}  // namespace sippay::sip
