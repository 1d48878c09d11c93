// Responses to requests the codec rejected (400 Bad Request, 513 Message
// Too Large), built from their raw header lines because no parsed Message
// exists.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sippay::proxy {

// Copies the Via, From, To, Call-ID and CSeq lines of `bytes` as written
// (full or compact names) under the status line. Returns nullopt when
// `bytes` is a response, has no Via line, or a copied line holds control
// characters, since the client could not match such an answer.
std::optional<std::string> build_unparsable_reply(std::string_view bytes, int status_code,
                                                  std::string_view reason_phrase);

// Makes a Reason-Phrase (RFC 3261 §25.1) of `text`: characters the grammar
// does not allow, such as quotes and angle brackets, become spaces, and the
// result is cut to 200 bytes.
std::string to_reason_phrase(std::string_view text);

}  // namespace sippay::proxy
