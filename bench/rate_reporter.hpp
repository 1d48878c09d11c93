// A benchmark reporter that passes every report to the display reporter that
// --benchmark_format selects and records each benchmark's message rate, so
// main() can print rate ratios from the same run.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

namespace sippay::bench {

class RateReporter : public benchmark::BenchmarkReporter {
 public:
  RateReporter();

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

  // Messages per second of the named benchmark (for example
  // "BM_sippay_parse"): the median over repetitions when there were several,
  // else the single run's rate. nullopt when it did not run or failed.
  std::optional<double> rate(const std::string& benchmark_name) const;

  // The stream for text that follows the report: standard output under the
  // console format, standard error under JSON or CSV so those stay parseable.
  std::ostream& summary_stream() const;

 private:
  std::unique_ptr<benchmark::BenchmarkReporter> display_;
  std::map<std::string, double> medians_;
  std::map<std::string, double> single_runs_;
};

}  // namespace sippay::bench
