// UA throughput benchmark: two sippay UserAgents in one process on
// 127.0.0.1, one sending MESSAGE requests with the 387-byte S/MIME body of
// sample_message.hpp, the other responding to each with 200. The sender keeps a
// window of transactions outstanding and starts a new one as each
// completes. One benchmark iteration is one completed transaction.
//
// Each transport is measured twice: both UAs on one io_context on the
// benchmark thread, and the receiving UA on its own io_context and thread.
//
// Two rates are reported. items_per_second divides by the CPU time of the
// whole process (all threads, kernel time included), so it moves little
// with the machine's load. wall_items_per_second divides by elapsed time,
// which is what the machine delivered during the run.
//
// Usage:
//   sippay_ua_bench [Google Benchmark options]
//   sippay_ua_bench --callgrind-loop udp|tcp|tls COUNT
//       Completes COUNT transactions over one transport, both UAs on one
//       thread, inside sippay_ua_bench_message_loop(), the function to
//       count with valgrind --tool=callgrind --toggle-collect.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "sample_message.hpp"
#include "sip/transport/testing/test_pki.hpp"
#include "sip/ua/user_agent.hpp"

namespace sippay::bench {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kWindow = 64;
// A transaction that gets neither a response nor a timeout within this long
// means the benchmark is stuck, because Timer F over UDP is 64 * T1 = 32 s.
constexpr auto kStallLimit = 40s;
constexpr auto kShutdownLimit = 5s;
constexpr std::string_view kContentType =
    "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m";

// The CA and the certificate both UAs present over TLS: one per process,
// made at start-up, valid for 127.0.0.1.
struct TlsFiles {
  std::unique_ptr<sip::testing::TestPki> pki;
  sip::testing::CertificateFiles leaf;
};
TlsFiles* tls_files = nullptr;

sip::UserAgentSettings settings_for(sip::TransportProtocol protocol) {
  sip::UserAgentSettings settings;
  settings.transport.listen = {{protocol, asio::ip::make_address("127.0.0.1"), 0}};
  if (protocol == sip::TransportProtocol::kTls) {
    settings.transport.tls =
        sip::TlsSettings{tls_files->leaf.certificate_file, tls_files->leaf.private_key_file,
                         tls_files->pki->ca_file(), false, true};
  }
  return settings;
}

std::string target_uri(sip::UserAgent& server, sip::TransportProtocol protocol) {
  const std::string port = std::to_string(server.transport().local_addresses().front().port);
  std::string uri = "sip:merchant@127.0.0.1:" + port;
  if (protocol == sip::TransportProtocol::kTcp) uri += ";transport=tcp";
  if (protocol == sip::TransportProtocol::kTls) uri += ";transport=tls";
  return uri;
}

// Keeps up to `window` MESSAGE transactions outstanding from `client` to
// `target`. Runs on the client's io_context thread.
class MessagePump {
 public:
  MessagePump(sip::UserAgent& client, std::string target)
      : client_(client), target_(std::move(target)) {
    const auto& body = kSmimeBody;
    body_.assign(reinterpret_cast<const char*>(body), sizeof body);
  }

  // Sends until `window` are outstanding, unless stopped or failed.
  void fill(std::int64_t window) {
    while (!stopped_ && !failure_ && in_flight_ < window) send_one(window);
  }
  void stop() { stopped_ = true; }

  std::int64_t completed() const { return completed_; }
  std::int64_t in_flight() const { return in_flight_; }
  const std::optional<std::string>& failure() const { return failure_; }

 private:
  void send_one(std::int64_t window) {
    sip::OutgoingMessage message;
    message.to_uri = target_;
    message.from_uri = "sip:alice@pay.test";
    message.content_type = std::string(kContentType);
    message.body = body_;
    ++in_flight_;
    client_.send_message(std::move(message), [this, window](const sip::RequestOutcome& outcome) {
      --in_flight_;
      if (!outcome.succeeded()) {
        if (!failure_) failure_ = "MESSAGE failed: " + outcome.summary();
        return;
      }
      ++completed_;
      fill(window);
    });
  }

  sip::UserAgent& client_;
  std::string target_;
  std::string body_;
  std::int64_t in_flight_ = 0;
  std::int64_t completed_ = 0;
  bool stopped_ = false;
  std::optional<std::string> failure_;
};

// Runs `io` one handler at a time until `done` holds. Returns false when
// nothing completes for kStallLimit.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + kStallLimit;
  while (!done()) {
    if (io.run_one_for(100ms) > 0) {
      deadline = std::chrono::steady_clock::now() + kStallLimit;
    } else if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
  }
  return true;
}

// The receiving UA, on the benchmark thread's io_context or on its own
// io_context and thread.
class Server {
 public:
  Server(asio::io_context& shared_io, sip::TransportProtocol protocol, bool own_thread)
      : own_io_(own_thread ? std::make_unique<asio::io_context>() : nullptr),
        io_(own_io_ ? *own_io_ : shared_io),
        agent_(io_, settings_for(protocol)) {
    agent_.on_message([](const sip::ReceivedMessage&) {
      return sip::UserAgent::MessageReply{200, {}, {}};
    });
  }

  std::error_code start() {
    if (auto error = agent_.start()) return error;
    if (own_io_) {
      thread_ = std::thread([this] {
        auto work = asio::make_work_guard(io_);
        io_.run();
      });
    }
    return {};
  }

  sip::UserAgent& agent() { return agent_; }

  // Starts the UA's shutdown and sets `done` when it ends. With its own
  // thread this call waits for that. On the shared io_context the caller
  // runs the io_context until `done` is set.
  void shut_down(bool& done) {
    if (!own_io_) {
      agent_.shutdown(kShutdownLimit, [&done] { done = true; });
      return;
    }
    asio::post(io_, [this] { agent_.shutdown(kShutdownLimit, [this] { io_.stop(); }); });
    thread_.join();
    done = true;
  }

  ~Server() {
    if (thread_.joinable()) {
      io_.stop();
      thread_.join();
    }
  }

 private:
  std::unique_ptr<asio::io_context> own_io_;
  asio::io_context& io_;
  sip::UserAgent agent_;
  std::thread thread_;
};

// A sending and a receiving UA over one transport, with the pump between
// them. The benchmark thread runs the sender's io_context.
class UaPair {
 public:
  UaPair(sip::TransportProtocol protocol, bool server_thread)
      : protocol_(protocol),
        server_(std::make_unique<Server>(io_, protocol, server_thread)),
        client_(std::make_unique<sip::UserAgent>(io_, settings_for(protocol))) {}

  // Opens both UAs' sockets and completes one transaction, so that a TCP or
  // TLS connection is open before timing. Returns the error, if any.
  std::optional<std::string> start() {
    if (auto error = server_->start()) return "server UA failed to listen: " + error.message();
    if (auto error = client_->start()) return "client UA failed to listen: " + error.message();
    pump_.emplace(*client_, target_uri(server_->agent(), protocol_));
    pump_->fill(1);
    if (!run_until(io_, [&] { return pump_->completed() == 1 || pump_->failure(); })) {
      return "the first MESSAGE stalled";
    }
    return pump_->failure();
  }

  // Sends until `window` transactions are outstanding. Each one that
  // completes starts the next.
  void open_window(std::int64_t window) { pump_->fill(window); }

  // Runs the sender's io_context until one more transaction has completed.
  std::optional<std::string> complete_one() {
    const std::int64_t target = ++completed_target_;
    if (!run_until(io_, [&] { return pump_->completed() >= target || pump_->failure(); })) {
      return "no MESSAGE transaction completed within the stall limit";
    }
    return pump_->failure();
  }

  // Lets the outstanding transactions finish, then shuts both UAs down.
  void finish() {
    pump_->stop();
    run_until(io_, [&] { return pump_->in_flight() == 0; });
    bool client_done = false;
    bool server_done = false;
    client_->shutdown(kShutdownLimit, [&] { client_done = true; });
    server_->shut_down(server_done);
    run_until(io_, [&] { return client_done && server_done; });
  }

 private:
  sip::TransportProtocol protocol_;
  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<sip::UserAgent> client_;
  std::optional<MessagePump> pump_;
  std::int64_t completed_target_ = 1;  // the transaction of start()
};

void BM_ua_message(benchmark::State& state, sip::TransportProtocol protocol, bool server_thread) {
  UaPair pair(protocol, server_thread);
  if (auto error = pair.start()) {
    state.SkipWithError(error->c_str());
    return;
  }

  const auto start = std::chrono::steady_clock::now();
  pair.open_window(state.range(0));
  for (auto _ : state) {
    if (auto error = pair.complete_one()) {
      state.SkipWithError(error->c_str());
      break;
    }
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  pair.finish();

  state.SetItemsProcessed(state.iterations());
  state.counters["wall_items_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()) / elapsed.count());
}

void register_benchmarks() {
  struct Variant {
    const char* name;
    sip::TransportProtocol protocol;
    bool server_thread;
  };
  const Variant variants[] = {
      {"BM_ua_message_udp", sip::TransportProtocol::kUdp, false},
      {"BM_ua_message_tcp", sip::TransportProtocol::kTcp, false},
      {"BM_ua_message_tls", sip::TransportProtocol::kTls, false},
      {"BM_ua_message_udp_two_threads", sip::TransportProtocol::kUdp, true},
      {"BM_ua_message_tcp_two_threads", sip::TransportProtocol::kTcp, true},
      {"BM_ua_message_tls_two_threads", sip::TransportProtocol::kTls, true},
  };
  for (const Variant& variant : variants) {
    benchmark::RegisterBenchmark(variant.name, BM_ua_message, variant.protocol,
                                 variant.server_thread)
        ->Arg(kWindow)
        ->ArgName("window")
        ->MeasureProcessCPUTime()
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace
}  // namespace sippay::bench

namespace {

// Completes `count` transactions on `pair`. Returns false, with the error
// printed, when one fails or stalls.
bool complete_transactions(sippay::bench::UaPair& pair, long count) {
  for (long i = 0; i < count; ++i) {
    if (auto error = pair.complete_one()) {
      std::cerr << "sippay_ua_bench: " << *error << "\n";
      return false;
    }
  }
  return true;
}

}  // namespace

// Completes `count` transactions on the UaPair that `pair` points to. Not
// inlined and not mangled, so callgrind's --toggle-collect can name it and
// count only the instructions inside.
extern "C" __attribute__((noinline)) bool sippay_ua_bench_message_loop(void* pair, long count) {
  return complete_transactions(*static_cast<sippay::bench::UaPair*>(pair), count);
}

namespace {

// Runs `count` transactions over `protocol_text` (udp, tcp or tls) inside
// sippay_ua_bench_message_loop(), after a warm-up of kWarmUpTransactions.
int run_callgrind_loop(const char* protocol_text, const char* count_text) {
  using sippay::sip::TransportProtocol;
  constexpr long kWarmUpTransactions = 1000;
  const std::string_view name = protocol_text;
  std::optional<TransportProtocol> protocol;
  if (name == "udp") protocol = TransportProtocol::kUdp;
  if (name == "tcp") protocol = TransportProtocol::kTcp;
  if (name == "tls") protocol = TransportProtocol::kTls;
  char* end = nullptr;
  const long count = std::strtol(count_text, &end, 10);
  if (!protocol || *end != '\0' || count <= 0) {
    std::cerr << "sippay_ua_bench: invalid --callgrind-loop arguments \"" << protocol_text
              << "\" \"" << count_text << "\"; expected udp, tcp or tls and a positive integer\n";
    return 2;
  }

  sippay::bench::UaPair pair(*protocol, false);
  if (auto error = pair.start()) {
    std::cerr << "sippay_ua_bench: " << *error << "\n";
    return 1;
  }
  pair.open_window(sippay::bench::kWindow);
  const bool ok = complete_transactions(pair, kWarmUpTransactions) &&
                  sippay_ua_bench_message_loop(&pair, count);
  pair.finish();
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sippay;
  // The transport logs each listener's start and stop at info level.
  spdlog::set_level(spdlog::level::warn);

  bench::TlsFiles files;
  try {
    files.pki = std::make_unique<sip::testing::TestPki>("sippay bench CA");
    files.leaf = files.pki->issue("ua", {"localhost", {"localhost"}, {"127.0.0.1"}, {}});
  } catch (const std::exception& error) {
    std::cerr << "sippay_ua_bench: cannot make the TLS test certificates: " << error.what() << "\n";
    return 1;
  }
  bench::tls_files = &files;

  if (argc >= 2 && std::string_view(argv[1]) == "--callgrind-loop") {
    if (argc != 4) {
      std::cerr << "usage: sippay_ua_bench --callgrind-loop udp|tcp|tls COUNT\n";
      return 2;
    }
    return run_callgrind_loop(argv[2], argv[3]);
  }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  bench::register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
