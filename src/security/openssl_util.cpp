#include "security/openssl_util.hpp"

#include <openssl/err.h>

#include <climits>
#include <ctime>

namespace sippay::security {

std::string take_openssl_errors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    if (!out.empty()) out += "; ";
    const char* reason = ERR_reason_error_string(code);
    out += reason != nullptr ? reason : "unknown OpenSSL error";
  }
  return out.empty() ? "no OpenSSL error recorded" : out;
}

void clear_openssl_errors() { ERR_clear_error(); }

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* time) {
  std::tm parts{};
  if (ASN1_TIME_to_tm(time, &parts) != 1) return {};
  return std::chrono::system_clock::from_time_t(::timegm(&parts));
}

BioPtr memory_bio(std::string_view bytes) {
  // Callers bound their input far below INT_MAX before it gets here.
  const int length = bytes.size() > static_cast<std::size_t>(INT_MAX) ? INT_MAX
                                                                       : static_cast<int>(bytes.size());
  return BioPtr(BIO_new_mem_buf(bytes.data(), length));
}

std::string memory_bio_contents(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  if (length <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace sippay::security
