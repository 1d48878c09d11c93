// Random identifiers for requests: Via branches (RFC 3261 §8.1.1.7), tags
// (§19.3) and Call-IDs (§8.1.1.4). They come from OpenSSL's CSPRNG because
// a guessable Call-ID or tag lets a third party inject into a conversation.
#pragma once

#include <string>
#include <string_view>

namespace sippay::sip {

// "z9hG4bK" followed by 32 hex digits (128 random bits).
std::string new_branch();
// 16 hex digits (64 random bits).
std::string new_tag();
// 32 hex digits, then "@" and `host` when it is not empty.
std::string new_call_id(std::string_view host = {});
// `bytes` random bytes as lower-case hex.
std::string random_hex(std::size_t bytes);

}  // namespace sippay::sip
