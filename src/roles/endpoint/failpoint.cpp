#include "roles/endpoint/failpoint.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>

namespace sippay::roles {
namespace {

// Written at start, before the I/O thread runs, and only read afterwards.
std::string& armed_point() {
  static std::string point;
  return point;
}

}  // namespace

void arm_failpoint_from_environment() {
  const char* value = std::getenv(kFailpointVariable);
  if (value == nullptr || *value == '\0') return;
  arm_failpoint(value);
  spdlog::warn("failpoint {} armed by {}: the process kills itself when it gets there", value,
               kFailpointVariable);
}

void arm_failpoint(std::string point) { armed_point() = std::move(point); }

bool failpoint_armed() { return !armed_point().empty(); }

void reach_failpoint(std::string_view point) {
  if (armed_point().empty() || point != armed_point()) return;
  spdlog::error("failpoint {} reached: killing the process with SIGKILL", point);
  spdlog::default_logger()->flush();
  ::kill(::getpid(), SIGKILL);
}

}  // namespace sippay::roles
