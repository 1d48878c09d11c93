#include "app/bench_purchase_load.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <fmt/core.h>

#include "roles/customer/customer_config.hpp"
#include "roles/customer/customer_wallet.hpp"
#include "roles/customer/secure_wallet_services.hpp"
#include "roles/customer/sqlite_wallet_store.hpp"
#include "roles/endpoint/peer_directory.hpp"
#include "roles/endpoint/random_ids.hpp"
#include "security/private_key.hpp"

namespace sippay::app::bench {
namespace {

using Clock = std::chrono::steady_clock;

// One finished purchase, as its customer saw it.
struct Completion {
  Clock::time_point finished;
  double latency_ms = 0;
  bool settled = false;
  std::string failure;  // outcome and message when not settled
};

std::string_view kind_name(roles::PurchaseOutcome::Kind kind) {
  switch (kind) {
    case roles::PurchaseOutcome::Kind::kSettled:
      return "settled";
    case roles::PurchaseOutcome::Kind::kRefused:
      return "refused";
    case roles::PurchaseOutcome::Kind::kTimeout:
      return "timeout";
    case roles::PurchaseOutcome::Kind::kError:
      return "error";
  }
  return "unknown";
}

std::string describe(const roles::PurchaseOutcome& outcome) {
  std::string text(kind_name(outcome.kind));
  if (outcome.failure) return text + ": " + roles::describe_failure(*outcome.failure);
  if (!outcome.message.empty()) return text + ": " + outcome.message;
  return text;
}

// Shared between the control thread and the I/O threads.
struct LoadControl {
  std::atomic<bool> stopping{false};
  std::atomic<int> registered{0};
  std::atomic<int> registration_failed{0};
  std::atomic<int> idle{0};  // customers that stopped buying after `stopping`
  std::string first_registration_error;  // written once, by the first failing customer
  std::atomic_flag error_written = ATOMIC_FLAG_INIT;
};

// One customer: the same parts as `sippay customer buy`, on the I/O thread
// of its io_context. Its completions are read only after that thread ends.
class Customer {
 public:
  Customer(asio::io_context& io, roles::CustomerConfig config, const LoadSettings& settings, LoadControl& control)
      : config_(std::move(config)),
        settings_(settings),
        control_(control),
        endpoint_(io, config_.endpoint),
        store_(config_.wallet),
        peers_(config_.endpoint.peer_certificates) {
    auto trust = security::TrustStore::load(config_.endpoint.ca, config_.endpoint.crl);
    auto certificate = security::Certificate::load_pem_file(config_.endpoint.certificate);
    auto key = security::PrivateKey::load_pem_file(config_.endpoint.private_key);
    auto gateway = peers_.find(config_.gateway);
    if (!trust || !certificate || !key || !gateway) {
      throw std::runtime_error(fmt::format("{}: failed to load the certificate, key, CA or the gateway's certificate",
                                           config_.endpoint.uri));
    }
    services_ = std::make_unique<roles::SecureWalletServices>(
        security::SignerCredentials{certificate.value(), key.value(), {}}, *gateway, trust.value());
    wallet_ = std::make_unique<roles::CustomerWallet>(
        endpoint_, store_, *services_, ids_,
        payment::WalletConfig{config_.account, config_.gateway, config_.max_challenges});
    endpoint_.on_message([this](const roles::InboundMessage& message) { return wallet_->handle(message); });
  }

  // Listens and registers. The first REGISTER outcome is counted in `control`.
  void start() {
    endpoint_.on_registration([this](const roles::SendResult& result) {
      if (registration_reported_) return;
      registration_reported_ = true;
      if (result.succeeded()) {
        ++control_.registered;
        return;
      }
      if (!control_.error_written.test_and_set()) {
        control_.first_registration_error = fmt::format("{}: {}", config_.endpoint.uri, result.summary());
      }
      ++control_.registration_failed;
    });
    if (std::error_code error = endpoint_.start()) {
      throw std::runtime_error(fmt::format("{}: failed to listen: {}", config_.endpoint.uri, error.message()));
    }
  }

  // Starts the closed loop: the next purchase begins when the previous one ends.
  void begin_buying() {
    asio::post(endpoint_.io(), [this] { buy(); });
  }

  // Unregisters and closes the endpoint on its I/O thread, then calls `done` there.
  void stop(std::function<void()> done) {
    asio::post(endpoint_.io(), [this, done = std::move(done)]() mutable {
      endpoint_.shutdown(std::chrono::seconds(2), std::move(done));
    });
  }

  const std::vector<Completion>& completions() const { return completions_; }

 private:
  void buy() {
    if (control_.stopping) {
      ++control_.idle;
      return;
    }
    const Clock::time_point started = Clock::now();
    auto accept = [](const payment::ConfirmationRequest&) { return payment::Decision::kAccept; };
    try {
      wallet_->buy(settings_.offer, settings_.pin, accept, settings_.purchase_timeout,
                   [this, started](const roles::PurchaseOutcome& outcome) { record(started, outcome); });
    } catch (const std::invalid_argument& error) {
      roles::PurchaseOutcome outcome;
      outcome.kind = roles::PurchaseOutcome::Kind::kError;
      outcome.message = error.what();
      record(started, outcome);
    }
  }

  void record(Clock::time_point started, const roles::PurchaseOutcome& outcome) {
    const Clock::time_point finished = Clock::now();
    const bool settled = outcome.kind == roles::PurchaseOutcome::Kind::kSettled;
    completions_.push_back({finished, std::chrono::duration<double, std::milli>(finished - started).count(), settled,
                            settled ? std::string() : describe(outcome)});
    // Posted, so that the wallet finishes this purchase before the next begins.
    asio::post(endpoint_.io(), [this] { buy(); });
  }

  roles::CustomerConfig config_;
  const LoadSettings& settings_;
  LoadControl& control_;
  roles::PaymentEndpoint endpoint_;
  roles::SqliteWalletStore store_;
  roles::PeerDirectory peers_;
  roles::RandomIds ids_;
  std::unique_ptr<roles::SecureWalletServices> services_;
  std::unique_ptr<roles::CustomerWallet> wallet_;
  bool registration_reported_ = false;
  std::vector<Completion> completions_;
};

// Polls `done` every 10 ms until it returns true or `limit` passes.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const Clock::time_point deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

LoadResult summarize(const std::vector<std::unique_ptr<Customer>>& customers, Clock::time_point window_start,
                     Clock::time_point window_end) {
  LoadResult result;
  result.window_seconds = std::chrono::duration<double>(window_end - window_start).count();
  for (const auto& customer : customers) {
    for (const Completion& completion : customer->completions()) {
      const bool in_window = completion.finished >= window_start && completion.finished < window_end;
      if (completion.settled) {
        ++result.settled;
        if (in_window) {
          ++result.window_settled;
          result.window_latencies_ms.push_back(completion.latency_ms);
        }
      } else {
        ++result.failed;
        ++result.failures[completion.failure];
        if (in_window) ++result.window_failed;
      }
    }
  }
  std::sort(result.window_latencies_ms.begin(), result.window_latencies_ms.end());
  return result;
}

}  // namespace

LoadResult run_load(const LoadSettings& settings, const WindowMark& window_start, const WindowMark& window_end) {
  LoadControl control;
  const unsigned thread_count = std::max(1U, settings.threads);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (unsigned i = 0; i < thread_count; ++i) contexts.push_back(std::make_unique<asio::io_context>());

  std::vector<std::unique_ptr<Customer>> customers;
  for (std::size_t i = 0; i < settings.customer_configs.size(); ++i) {
    roles::CustomerConfig config = roles::load_customer_config(settings.customer_configs[i]);
    customers.push_back(
        std::make_unique<Customer>(*contexts[i % thread_count], std::move(config), settings, control));
  }
  for (auto& customer : customers) customer->start();

  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  for (auto& io : contexts) {
    guards.push_back(asio::make_work_guard(*io));
    threads.emplace_back([&io = *io] { io.run(); });
  }
  // Stops every endpoint and joins the threads.
  auto stop_all = [&] {
    control.stopping = true;
    auto stopped = std::make_shared<std::atomic<std::size_t>>(0);
    for (auto& customer : customers) customer->stop([stopped] { ++*stopped; });
    wait_until([&] { return *stopped == customers.size(); }, std::chrono::seconds(10));
    guards.clear();
    for (auto& io : contexts) io->stop();
    for (std::thread& thread : threads) thread.join();
  };

  const int count = static_cast<int>(customers.size());
  const bool all_answered = wait_until(
      [&] { return control.registered + control.registration_failed == count; }, settings.registration_timeout);
  if (!all_answered || control.registration_failed > 0) {
    const std::string reason = control.registration_failed > 0
                                   ? fmt::format("{} of {} customers could not register; the first: {}",
                                                 control.registration_failed.load(), count,
                                                 control.first_registration_error)
                                   : fmt::format("only {} of {} customers registered within {} s",
                                                 control.registered.load(), count,
                                                 settings.registration_timeout.count());
    stop_all();
    throw std::runtime_error(reason);
  }

  for (auto& customer : customers) customer->begin_buying();
  std::this_thread::sleep_for(settings.warmup);
  Clock::time_point start, end;
  try {
    if (window_start) window_start();
    start = Clock::now();
    std::this_thread::sleep_for(settings.duration);
    end = Clock::now();
    if (window_end) window_end();
  } catch (...) {
    stop_all();
    throw;
  }

  // The purchases in flight end by their outcome or their timeout.
  control.stopping = true;
  wait_until([&] { return control.idle == count; }, settings.purchase_timeout + std::chrono::seconds(5));
  stop_all();

  return summarize(customers, start, end);
}

}  // namespace sippay::app::bench
