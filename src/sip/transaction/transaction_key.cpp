#include "sip/transaction/transaction_key.hpp"

#include "sip/charset.hpp"

namespace sippay::sip {
namespace {

constexpr char kSeparator = '\x1f';  // cannot occur in a token

void append_part(std::string& key, std::string_view part) {
  key.append(part);
  key.push_back(kSeparator);
}

void append_lower(std::string& key, std::string_view part) {
  for (char c : part) key.push_back(charset::to_lower(c));
  key.push_back(kSeparator);
}

}  // namespace

std::string client_transaction_key(std::string_view branch, std::string_view method) {
  std::string key;
  key.reserve(branch.size() + method.size() + 2);
  append_part(key, branch);
  append_part(key, method);
  return key;
}

std::string client_transaction_key(const Message& response) {
  if (response.vias().empty() || response.cseq() == nullptr) return {};
  const Via& top = response.vias().front();
  if (!top.has_branch) return {};
  return client_transaction_key(top.branch, response.cseq()->method);
}

std::string server_transaction_key(const Message& request) {
  if (request.vias().empty() || request.cseq() == nullptr) return {};
  const Via& top = request.vias().front();
  const std::string_view method = request.method() == "ACK" ? "INVITE" : request.method();
  std::string key;
  if (top.has_branch && top.branch.starts_with(kMagicCookie)) {
    append_part(key, top.branch);
    append_lower(key, top.host);
    append_part(key, std::to_string(top.has_port ? top.port : 0));
    append_part(key, method);
    return key;
  }
  // RFC 2543 fallback (§17.2.3).
  key.push_back('2');
  append_part(key, request.request_line().request_uri.text);
  append_part(key, request.to() != nullptr ? request.to()->tag : "");
  append_part(key, request.from() != nullptr ? request.from()->tag : "");
  append_part(key, request.call_id());
  append_part(key, std::to_string(request.cseq()->number));
  append_part(key, method);
  append_part(key, top.text);
  return key;
}

}  // namespace sippay::sip
