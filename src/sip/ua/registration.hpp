// A REGISTER client (RFC 3261 §10.2) that keeps one contact bound: it
// registers, refreshes before the granted lifetime ends, follows a 423 with
// the registrar's Min-Expires, and retries after failures.
#pragma once

#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sip/ua/user_agent.hpp"

namespace sippay::sip {

struct RegistrationSettings {
  std::string registrar_uri;  // Request-URI, for example sip:pay.test or sip:127.0.0.1:5070
  std::string aor;            // address of record, in From and To
  std::string contact_uri;    // the binding
  std::uint32_t expires_seconds = 3600;
  std::optional<DigestCredentials> credentials;
  std::optional<std::string> proxy_uri;
  // Wait after a failed attempt before the next one.
  std::chrono::seconds retry_after{30};
};

class Registration : public std::enable_shared_from_this<Registration> {
 public:
  using ResultHandler = std::function<void(const RequestOutcome& outcome)>;

  // `on_result` receives the outcome of every REGISTER sent, refreshes included.
  static std::shared_ptr<Registration> create(UserAgent& agent, RegistrationSettings settings,
                                              ResultHandler on_result);
  void start();
  // Removes the binding (Expires: 0) and stops refreshing; `done` is called
  // with the registrar's response or the transaction's failure.
  void stop(std::function<void(const RequestOutcome&)> done);

  // When the next refresh is due, for tests and logs.
  std::chrono::seconds refresh_delay(std::uint32_t granted_seconds) const;

 private:
  Registration(UserAgent& agent, RegistrationSettings settings, ResultHandler on_result);
  void send(std::uint32_t expires, std::function<void(const RequestOutcome&)> done);
  void schedule(std::chrono::seconds delay);

  UserAgent& agent_;
  RegistrationSettings settings_;
  ResultHandler on_result_;
  std::string call_id_;  // one Call-ID for every REGISTER of this binding (§10.2.4)
  std::string from_tag_;
  std::uint32_t cseq_ = 0;
  std::uint32_t requested_expires_ = 0;
  bool stopped_ = false;
  asio::steady_timer timer_;
};

}  // namespace sippay::sip
