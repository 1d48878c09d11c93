#include "sip/ua/registration.hpp"

#include <algorithm>

#include "sip/ua/identifiers.hpp"

namespace sippay::sip {

std::shared_ptr<Registration> Registration::create(UserAgent& agent, RegistrationSettings settings,
                                                   ResultHandler on_result) {
  return std::shared_ptr<Registration>(new Registration(agent, std::move(settings), std::move(on_result)));
}

Registration::Registration(UserAgent& agent, RegistrationSettings settings, ResultHandler on_result)
    : agent_(agent),
      settings_(std::move(settings)),
      on_result_(std::move(on_result)),
      call_id_(new_call_id()),
      from_tag_(new_tag()),
      requested_expires_(settings_.expires_seconds),
      timer_(agent.io()) {}

std::chrono::seconds Registration::refresh_delay(std::uint32_t granted_seconds) const {
  // Refresh at 80% of the lifetime so that a lost request has time for a
  // retransmission cycle (64*T1) before the binding lapses.
  return std::chrono::seconds(std::max<std::uint32_t>(1, granted_seconds * 4 / 5));
}

void Registration::start() {
  std::weak_ptr<Registration> weak = weak_from_this();
  send(requested_expires_, [weak](const RequestOutcome& outcome) {
    auto self = weak.lock();
    if (!self || self->stopped_) return;
    self->on_result_(outcome);
    if (outcome.succeeded()) {
      self->schedule(self->refresh_delay(outcome.granted_expires.value_or(self->requested_expires_)));
    } else if (outcome.status_code == 423 && outcome.min_expires &&
               *outcome.min_expires > self->requested_expires_) {
      // §10.2.8: the registrar wants a longer interval.
      self->requested_expires_ = *outcome.min_expires;
      self->start();
    } else {
      self->schedule(self->settings_.retry_after);
    }
  });
}

void Registration::stop(std::function<void(const RequestOutcome&)> done) {
  stopped_ = true;
  timer_.cancel();
  send(0, std::move(done));
}

void Registration::send(std::uint32_t expires, std::function<void(const RequestOutcome&)> done) {
  auto request = std::make_shared<UacRequest>();
  RequestSpec& spec = request->spec;
  spec.method = "REGISTER";
  spec.request_uri = settings_.registrar_uri;
  spec.from_uri = settings_.aor;
  spec.to_uri = settings_.aor;
  spec.from_tag = from_tag_;
  spec.call_id = call_id_;
  // Leave room for the CSeq the UA adds when it retries with credentials.
  cseq_ += 2;
  spec.cseq = cseq_;
  spec.contact_uri = settings_.contact_uri;
  spec.expires = expires;
  spec.user_agent = agent_.settings().user_agent;
  request->proxy_uri = settings_.proxy_uri;
  request->credentials = settings_.credentials;
  request->done = std::move(done);
  agent_.send_request(std::move(request));
}

void Registration::schedule(std::chrono::seconds delay) {
  timer_.expires_after(delay);
  std::weak_ptr<Registration> weak = weak_from_this();
  timer_.async_wait([weak](std::error_code error) {
    auto self = weak.lock();
    if (!error && self && !self->stopped_) self->start();
  });
}

}  // namespace sippay::sip
