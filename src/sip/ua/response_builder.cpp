#include "sip/ua/response_builder.hpp"

#include <fmt/format.h>

#include "sip/serializer.hpp"

namespace sippay::sip {
namespace {

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

// Copies every field of `id` as written, keeping compact names readable.
void copy_fields(std::string& out, const Message& request, HeaderId id) {
  for (const HeaderField& field : request.headers()) {
    if (field.id == id) append_header(out, canonical_name(id), field.value);
  }
}

}  // namespace

std::string_view default_reason_phrase(int status_code) {
  switch (status_code) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 423: return "Interval Too Brief";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 488: return "Not Acceptable Here";
    case 493: return "Undecipherable";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    default: return "Unknown";
  }
}

std::string build_response(const Message& request, int status_code, std::string_view reason,
                           const ResponseExtras& extras) {
  std::string out;
  out.reserve(512 + extras.body.size());
  fmt::format_to(std::back_inserter(out), "SIP/2.0 {} {}\r\n", status_code, reason);
  copy_fields(out, request, HeaderId::kVia);
  copy_fields(out, request, HeaderId::kFrom);

  const NameAddr& to = *request.to();
  out.append("To: ");
  out.append(to.text);
  if (!to.has_tag && status_code != 100 && !extras.to_tag.empty()) {
    out.append(";tag=");
    out.append(extras.to_tag);
  }
  out.append("\r\n");

  append_header(out, "Call-ID", request.call_id());
  fmt::format_to(std::back_inserter(out), "CSeq: {} {}\r\n", request.cseq()->number,
                 request.cseq()->method);
  out.append(extras.extra_headers);
  if (!extras.body.empty()) append_header(out, "Content-Type", extras.content_type);
  fmt::format_to(std::back_inserter(out), "Content-Length: {}\r\n\r\n", extras.body.size());
  out.append(extras.body);
  return out;
}

std::string build_response_best_effort(const Message& request, int status_code,
                                       std::string_view reason) {
  std::string out;
  fmt::format_to(std::back_inserter(out), "SIP/2.0 {} {}\r\n", status_code, reason);
  for (HeaderId id : {HeaderId::kVia, HeaderId::kFrom, HeaderId::kTo, HeaderId::kCallId,
                      HeaderId::kCSeq}) {
    copy_fields(out, request, id);
  }
  out.append("Content-Length: 0\r\n\r\n");
  return out;
}

}  // namespace sippay::sip
