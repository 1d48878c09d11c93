// Matching of messages to transactions (RFC 3261 §17.1.3 and §17.2.3).
#pragma once

#include <string>

#include "sip/message.hpp"

namespace sippay::sip {

// The RFC 3261 branch prefix that marks a branch as unique (§8.1.1.7).
inline constexpr std::string_view kMagicCookie = "z9hG4bK";

// Key of the client transaction a response belongs to: the top Via branch
// and the CSeq method (§17.1.3). Empty when the response has no Via or CSeq.
std::string client_transaction_key(const Message& response);
// The same key, from the values the request was sent with.
std::string client_transaction_key(std::string_view branch, std::string_view method);

// Key of the server transaction a request belongs to (§17.2.3): the top Via
// branch, sent-by and method (ACK counted as INVITE) when the branch has the
// magic cookie; else the RFC 2543 fields (Request-URI, tags, Call-ID, CSeq
// and the top Via). Empty when the request lacks what matching needs.
std::string server_transaction_key(const Message& request);

}  // namespace sippay::sip
