// Helpers for the registrar and location tests: REGISTER requests built
// from a few fields, a fixed clock origin and a temporary folder.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "proxy/binding.hpp"
#include "sip/message.hpp"

namespace sippay::proxy::testing {

// 2023-11-14 22:13:20 UTC; any fixed time would do.
inline const TimePoint kStart{std::chrono::seconds(1'700'000'000)};

struct RegisterSpec {
  std::string method = "REGISTER";
  std::string request_uri = "sip:pay.test";
  std::string to = "sip:alice@pay.test";
  std::string call_id = "call-1@client.test";
  std::uint32_t cseq = 1;
  std::vector<std::string> contacts;  // Contact header values, one line each
  std::optional<std::uint32_t> expires;
};

inline std::string register_text(const RegisterSpec& spec) {
  std::string text = spec.method + " " + spec.request_uri + " SIP/2.0\r\n";
  text += "Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-test-" + std::to_string(spec.cseq) + "\r\n";
  text += "Max-Forwards: 70\r\n";
  text += "From: <" + spec.to + ">;tag=from-tag\r\n";
  text += "To: <" + spec.to + ">\r\n";
  text += "Call-ID: " + spec.call_id + "\r\n";
  text += "CSeq: " + std::to_string(spec.cseq) + " " + spec.method + "\r\n";
  for (const std::string& contact : spec.contacts) text += "Contact: " + contact + "\r\n";
  if (spec.expires) text += "Expires: " + std::to_string(*spec.expires) + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  return text;
}

// Parses the request of `spec`; a parse error fails the calling test.
inline sip::Message make_register(const RegisterSpec& spec) {
  auto parsed = sip::parse_message_owned(register_text(spec));
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().to_string());
  return parsed.ok() ? parsed.value() : sip::Message();
}

// A fresh folder under the system's temporary folder, removed with its
// contents on destruction.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sippay-proxy-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sippay::proxy::testing
