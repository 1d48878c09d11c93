#include "rate_reporter.hpp"

#include <iostream>

namespace sippay::bench {

RateReporter::RateReporter() : display_(benchmark::CreateDefaultDisplayReporter()) {}

bool RateReporter::ReportContext(const Context& context) {
  display_->SetOutputStream(&GetOutputStream());
  display_->SetErrorStream(&GetErrorStream());
  return display_->ReportContext(context);
}

void RateReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const Run& run : runs) {
    if (run.error_occurred) continue;
    const auto counter = run.counters.find("items_per_second");
    if (counter == run.counters.end()) continue;
    const std::string name = run.run_name.function_name;
    if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
      medians_[name] = counter->second.value;
    } else if (run.run_type == Run::RT_Iteration && run.repetitions <= 1) {
      single_runs_[name] = counter->second.value;
    }
  }
  display_->ReportRuns(runs);
}

void RateReporter::Finalize() { display_->Finalize(); }

std::optional<double> RateReporter::rate(const std::string& benchmark_name) const {
  if (auto median = medians_.find(benchmark_name); median != medians_.end()) return median->second;
  if (auto single = single_runs_.find(benchmark_name); single != single_runs_.end()) {
    return single->second;
  }
  return std::nullopt;
}

std::ostream& RateReporter::summary_stream() const {
  if (dynamic_cast<const benchmark::ConsoleReporter*>(display_.get()) != nullptr) {
    return GetOutputStream();
  }
  return GetErrorStream();
}

}  // namespace sippay::bench
