// The load of `sippay bench purchase`: N customers in this process, each
// with its own PaymentEndpoint and CustomerWallet (own certificate, own TLS
// connection, registered), each buying in a closed loop and confirming
// every confirmation request.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "payment/wallet_machine.hpp"

namespace sippay::app::bench {

struct LoadSettings {
  std::vector<std::filesystem::path> customer_configs;  // one TOML file per customer
  payment::Offer offer;
  std::string pin;
  std::chrono::milliseconds warmup{2000};     // purchases completed before the window are not measured
  std::chrono::milliseconds duration{10000};  // the measured window
  unsigned threads = 1;                       // I/O threads: customer i runs on thread i % threads
  std::chrono::seconds purchase_timeout{30};
  std::chrono::seconds registration_timeout{30};
};

struct LoadResult {
  long settled = 0;         // every settled purchase: warm-up, window and the drain after it
  long failed = 0;          // every purchase that ended otherwise
  long window_settled = 0;  // settled purchases that completed inside the window
  long window_failed = 0;
  double window_seconds = 0;
  std::vector<double> window_latencies_ms;  // of window_settled, sorted
  std::map<std::string, long> failures;     // count by outcome and message
};

// Called at the start and at the end of the measured window, from the
// thread that called run_load.
using WindowMark = std::function<void()>;

// Registers every customer, runs the load and waits for the purchases in
// flight when the window ends. Throws std::runtime_error when a customer
// cannot register in time.
LoadResult run_load(const LoadSettings& settings, const WindowMark& window_start, const WindowMark& window_end);

}  // namespace sippay::app::bench
