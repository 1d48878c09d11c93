// Failpoints for crash tests: a daemon started with the environment variable
// SIPPAY_FAILPOINT=NAME kills itself with SIGKILL when its processing
// reaches the point NAME, so a test can crash it at a precise moment (for
// instance after a ledger commit, before the SIP response). Without the
// variable nothing is armed and reach_failpoint() only compares with an
// empty string. docs/roles.md lists the points.
#pragma once

#include <string>
#include <string_view>

namespace sippay::roles {

inline constexpr const char* kFailpointVariable = "SIPPAY_FAILPOINT";

// Arms the point named by SIPPAY_FAILPOINT, if set, and logs a warning
// naming it. Daemons call it once at start.
void arm_failpoint_from_environment();

// Arms `point`; an empty string disarms.
void arm_failpoint(std::string point);

bool failpoint_armed();

// Logs an error naming `point` and kills the process with SIGKILL when
// `point` is the armed failpoint; else returns at once.
void reach_failpoint(std::string_view point);

}  // namespace sippay::roles
