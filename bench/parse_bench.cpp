// Parse benchmark: sippay's SIP parser against libosip2 and sofia-sip on a
// payment MESSAGE request (sample_message.hpp). Each benchmark parses the
// message and reads every header a proxy reads (readers.hpp), then frees
// what the parse allocated.
//
// Usage:
//   sippay_bench [Google Benchmark options]
//       Checks that the libraries agree, runs the benchmarks and prints the
//       rate ratios of sippay to the other two.
//   sippay_bench --callgrind-loop LIBRARY COUNT
//       Checks, then parses COUNT times with LIBRARY (sippay, sippay_fresh,
//       osip2 or sofia) inside sippay_bench_parse_loop(), the function that
//       bench/callgrind_count.sh counts with callgrind.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "agreement_check.hpp"
#include "rate_reporter.hpp"
#include "readers.hpp"
#include "sample_message.hpp"

namespace sippay::bench {
namespace {

// Keeps every value read, so the compiler cannot drop a read.
constexpr auto kKeepFields = [](const auto& fields) { benchmark::DoNotOptimize(fields); };

void set_rates(benchmark::State& state, std::size_t message_bytes) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message_bytes));
}

void BM_sippay_parse(benchmark::State& state) {
  const std::string& bytes = sample_message();
  sip::Message message;
  for (auto _ : state) {
    if (!parse_sippay_reused(bytes, message, kKeepFields)) {
      state.SkipWithError("sippay rejected the sample message");
      break;
    }
  }
  set_rates(state, bytes.size());
}
BENCHMARK(BM_sippay_parse);

void BM_sippay_parse_fresh(benchmark::State& state) {
  const std::string& bytes = sample_message();
  for (auto _ : state) {
    if (!parse_sippay_fresh(bytes, kKeepFields)) {
      state.SkipWithError("sippay rejected the sample message");
      break;
    }
  }
  set_rates(state, bytes.size());
}
BENCHMARK(BM_sippay_parse_fresh);

void BM_osip2_parse(benchmark::State& state) {
  const std::string& bytes = sample_message();
  for (auto _ : state) {
    if (!parse_osip(bytes, kKeepFields)) {
      state.SkipWithError("libosip2 rejected the sample message");
      break;
    }
  }
  set_rates(state, bytes.size());
}
BENCHMARK(BM_osip2_parse);

void BM_sofia_parse(benchmark::State& state) {
  const std::string& bytes = sample_message();
  for (auto _ : state) {
    if (!parse_sofia(bytes, kKeepFields)) {
      state.SkipWithError("sofia-sip rejected the sample message");
      break;
    }
  }
  set_rates(state, bytes.size());
}
BENCHMARK(BM_sofia_parse);

// Prints how many times faster `sippay_benchmark` parsed than libosip2,
// sofia-sip and the faster of the two, from the rates of this run.
void print_ratios(const RateReporter& reporter, const std::string& sippay_benchmark) {
  const std::optional<double> sippay = reporter.rate(sippay_benchmark);
  const std::optional<double> osip = reporter.rate("BM_osip2_parse");
  const std::optional<double> sofia = reporter.rate("BM_sofia_parse");
  if (!sippay || !osip || !sofia) return;

  std::ostream& out = reporter.summary_stream();
  const double faster = *osip > *sofia ? *osip : *sofia;
  out << std::fixed << std::setprecision(2) << sippay_benchmark
      << ": ratio sippay/osip2 = " << *sippay / *osip << ", sippay/sofia = " << *sippay / *sofia
      << ", vs faster = " << *sippay / faster << " (target >= 3.00)\n";
}

}  // namespace
}  // namespace sippay::bench

// Parses `count` messages with the named library; false for an unknown name
// or a failed parse. Not inlined and not mangled, so callgrind's
// --toggle-collect can name it and count only the instructions inside.
extern "C" __attribute__((noinline)) bool sippay_bench_parse_loop(const char* library, long count) {
  using namespace sippay::bench;
  const std::string& bytes = sample_message();
  const auto keep = [](const auto& fields) { benchmark::DoNotOptimize(fields); };
  const std::string_view name = library;
  static sippay::sip::Message reused;

  // The library is chosen before the loop, so the count contains only parsing.
  bool ok = true;
  if (name == "sippay") {
    for (long i = 0; i < count && ok; ++i) ok = parse_sippay_reused(bytes, reused, keep);
  } else if (name == "sippay_fresh") {
    for (long i = 0; i < count && ok; ++i) ok = parse_sippay_fresh(bytes, keep);
  } else if (name == "osip2") {
    for (long i = 0; i < count && ok; ++i) ok = parse_osip(bytes, keep);
  } else if (name == "sofia") {
    for (long i = 0; i < count && ok; ++i) ok = parse_sofia(bytes, keep);
  } else {
    ok = false;
  }
  return ok;
}

namespace {

int run_callgrind_loop(const char* library, const char* count_text) {
  char* end = nullptr;
  const long count = std::strtol(count_text, &end, 10);
  if (*end != '\0' || count <= 0) {
    std::cerr << "sippay_bench: invalid COUNT \"" << count_text
              << "\"; expected a positive integer\n";
    return 2;
  }
  // One parse outside the counted function, so the reused Message has its
  // capacity and each library has done its one-time setup.
  if (!sippay_bench_parse_loop(library, 1) || !sippay_bench_parse_loop(library, count)) {
    std::cerr << "sippay_bench: unknown LIBRARY \"" << library
              << "\" or failed parse; expected sippay, sippay_fresh, osip2 or sofia\n";
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (parser_init() != OSIP_SUCCESS) {
    std::cerr << "sippay_bench: libosip2 parser_init() failed\n";
    return 1;
  }
  if (!sippay::bench::check_libraries_agree(std::cerr)) {
    std::cerr << "sippay_bench: the libraries do not parse the sample message alike; "
                 "not running the benchmarks\n";
    return 1;
  }

  if (argc >= 2 && std::string_view(argv[1]) == "--callgrind-loop") {
    if (argc != 4) {
      std::cerr << "usage: sippay_bench --callgrind-loop LIBRARY COUNT\n";
      return 2;
    }
    return run_callgrind_loop(argv[2], argv[3]);
  }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  sippay::bench::RateReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  sippay::bench::print_ratios(reporter, "BM_sippay_parse");
  sippay::bench::print_ratios(reporter, "BM_sippay_parse_fresh");
  benchmark::Shutdown();
  return 0;
}
