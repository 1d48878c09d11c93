// The crypto floor of `sippay bench purchase`: the CPU time of the
// cryptographic operations that one purchase needs at the customer, the
// merchant and the gateway, each timed alone with the same security-layer
// calls, keys and message bodies that the roles use. docs/benchmarks.md
// lists the operations.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace sippay::app::bench {

enum class Side { kCustomer, kMerchant, kGateway };

std::string_view to_string(Side side);

// The files the floor reads: the three parties' certificates and keys, the
// operator CA and CRL and the gateway's PIN key.
struct FloorInputs {
  std::filesystem::path ca, crl, pin_key;
  std::filesystem::path customer_certificate, customer_key;
  std::filesystem::path merchant_certificate, merchant_key;
  std::filesystem::path gateway_certificate, gateway_key;
  std::string customer_uri, customer_account, pin;
  std::string merchant_uri, gateway_uri;
};

struct OperationCost {
  Side side;
  std::string name;
  double cpu_us = 0;   // thread CPU time per call, microseconds
  double wall_us = 0;  // elapsed time per call, microseconds
  long iterations = 0;
};

struct CryptoFloor {
  std::vector<OperationCost> operations;
  unsigned cores = 1;  // CPUs this process may run on

  double side_cpu_us(Side side) const;
  double total_cpu_us() const;
  // Purchases per second that the crypto alone allows on `cores` CPUs.
  double purchases_per_second() const;
  // Purchases per second that one side's crypto allows on one CPU.
  double side_purchases_per_second(Side side) const;
};

// Builds the purchase's messages with the parties' real keys, checks that
// each operation succeeds once, then times each one on this thread for at
// least `per_operation` of CPU time and 10 calls. Throws std::runtime_error
// naming the operation that fails.
CryptoFloor measure_crypto_floor(const FloorInputs& inputs, std::chrono::milliseconds per_operation);

// Returns the floor from two measurements of the same operations: per
// operation, the lower CPU time, the one least slowed by other work on the
// machine. The result is at least as fast as either measurement, so a
// slowed measurement cannot raise the achieved/floor ratio. Throws std::invalid_argument when the two do not
// list the same operations in the same order.
CryptoFloor fastest_of(const CryptoFloor& first, const CryptoFloor& second);

}  // namespace sippay::app::bench
