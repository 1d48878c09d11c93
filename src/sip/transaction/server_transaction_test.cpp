// The non-INVITE server transaction machine alone (RFC 3261 §17.2.2, figure
// 8), run on a ManualTimerService through a Context that records each call.
#include "sip/transaction/server_transaction.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "sip/transaction/timer_service.hpp"

namespace sippay::sip {
namespace {

using std::chrono::milliseconds;

constexpr TimerConfig kRfcTimers{milliseconds(500), milliseconds(4000), milliseconds(5000)};

// The machine never reads a response, so a status line stands for one.
std::string response_text(int status_code) { return "SIP/2.0 " + std::to_string(status_code); }

struct Transmission {
  std::int64_t at_ms;
  std::string response;
  bool operator==(const Transmission&) const = default;
};

struct Failure {
  std::int64_t at_ms;
  TransactionFailure failure;
  bool operator==(const Failure&) const = default;
};

struct Transition {
  std::int64_t at_ms;
  TransactionState state;
  bool operator==(const Transition&) const = default;
};

struct RejectedResponse {
  std::int64_t at_ms;
  int status_code;
  bool operator==(const RejectedResponse&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Transmission& transmission) {
  return out << '"' << transmission.response << "\" at " << transmission.at_ms << " ms";
}
std::ostream& operator<<(std::ostream& out, const Failure& failure) {
  return out << to_string(failure.failure) << " at " << failure.at_ms << " ms";
}
std::ostream& operator<<(std::ostream& out, const Transition& transition) {
  return out << to_string(transition.state) << " at " << transition.at_ms << " ms";
}
std::ostream& operator<<(std::ostream& out, const RejectedResponse& rejected) {
  return out << rejected.status_code << " at " << rejected.at_ms << " ms";
}

// Runs a NonInviteServerTransaction on a manual clock and records each call
// the machine makes on its Context.
class ServerHarness final : public NonInviteServerTransaction::Context {
 public:
  ServerHarness(TimerConfig timers, bool reliable) : machine_(*this, timers, reliable) {}

  void transmit_response(const std::string& response) override {
    transmissions.push_back({now_ms(), response});
  }

  void start_timer(TransactionTimer timer, milliseconds delay) override {
    timer_starts.push_back(timer);
    timer_delays_ms.push_back(delay.count());
    clock_.start(delay, [this, timer] {
      machine_.timer_fired(timer);
      note_state();
    });
  }

  void report_failure(TransactionFailure failure) override {
    failures.push_back({now_ms(), failure});
  }

  void receive_retransmission_at(milliseconds at) {
    clock_.start(at, [this] {
      machine_.receive_request_retransmission();
      note_state();
    });
  }

  // respond() returns false once a final response went out, and the
  // harness records that as a rejected response.
  void respond_at(milliseconds at, int status_code) {
    clock_.start(at, [this, status_code] {
      if (!machine_.respond(status_code, response_text(status_code))) {
        rejected_responses.push_back({now_ms(), status_code});
      }
      note_state();
    });
  }

  void fail_transport_at(milliseconds at) {
    clock_.start(at, [this] {
      machine_.transport_failed();
      note_state();
    });
  }

  void run_until_idle() { clock_.run_until_idle(); }
  void advance(milliseconds duration) { clock_.advance(duration); }
  TransactionState state() const { return machine_.state(); }
  NonInviteServerTransaction& machine() { return machine_; }

  std::vector<Transmission> transmissions;
  std::vector<Failure> failures;
  std::vector<Transition> transitions;
  std::vector<RejectedResponse> rejected_responses;
  std::vector<TransactionTimer> timer_starts;
  std::vector<std::int64_t> timer_delays_ms;

 private:
  std::int64_t now_ms() const { return clock_.now().count(); }

  void note_state() {
    if (machine_.state() == last_state_) return;
    last_state_ = machine_.state();
    transitions.push_back({now_ms(), last_state_});
  }

  ManualTimerService clock_;
  TransactionState last_state_ = TransactionState::kTrying;
  NonInviteServerTransaction machine_;
};

enum class Input { kRetransmission, kRespond, kTransportFailure };

struct ServerInput {
  std::int64_t at_ms;
  Input input;
  int status_code = 0;  // for kRespond
};

struct ServerCase {
  const char* name;
  TimerConfig timers;
  bool reliable;
  std::vector<ServerInput> inputs;
  std::vector<Transmission> transmissions;
  std::vector<Transition> transitions;
  std::vector<RejectedResponse> rejected_responses;
  std::vector<Failure> failures;
};

using State = TransactionState;
constexpr auto kTransportError = TransactionFailure::kTransportError;

ServerInput retransmission_at(std::int64_t at_ms) { return {at_ms, Input::kRetransmission}; }
ServerInput respond_at(std::int64_t at_ms, int status_code) {
  return {at_ms, Input::kRespond, status_code};
}
ServerInput transport_failure_at(std::int64_t at_ms) { return {at_ms, Input::kTransportFailure}; }

const ServerCase kServerCases[] = {
    {
        .name = "FinalInTryingWaitsTimerJ",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {respond_at(100, 200)},
        .transmissions = {{100, "SIP/2.0 200"}},
        .transitions = {{100, State::kCompleted}, {32100, State::kTerminated}},
        .rejected_responses = {},
        .failures = {},
    },
    {
        // Trying has nothing to resend because the user has not responded yet.
        .name = "TryingAbsorbsRetransmissions",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {retransmission_at(50), retransmission_at(80), respond_at(100, 200)},
        .transmissions = {{100, "SIP/2.0 200"}},
        .transitions = {{100, State::kCompleted}, {32100, State::kTerminated}},
        .rejected_responses = {},
        .failures = {},
    },
    {
        // Each retransmission gets the last response sent, provisional or final.
        .name = "RetransmissionGetsLastResponse",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {respond_at(10, 100), retransmission_at(500), respond_at(600, 180),
                   retransmission_at(700), respond_at(800, 200), retransmission_at(900),
                   retransmission_at(20000)},
        .transmissions = {{10, "SIP/2.0 100"},
                          {500, "SIP/2.0 100"},
                          {600, "SIP/2.0 180"},
                          {700, "SIP/2.0 180"},
                          {800, "SIP/2.0 200"},
                          {900, "SIP/2.0 200"},
                          {20000, "SIP/2.0 200"}},
        .transitions = {{10, State::kProceeding},
                        {800, State::kCompleted},
                        {32800, State::kTerminated}},
        .rejected_responses = {},
        .failures = {},
    },
    {
        .name = "RespondAfterFinalRejected",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {respond_at(100, 200), respond_at(200, 404), respond_at(300, 180),
                   retransmission_at(400)},
        .transmissions = {{100, "SIP/2.0 200"}, {400, "SIP/2.0 200"}},
        .transitions = {{100, State::kCompleted}, {32100, State::kTerminated}},
        .rejected_responses = {{200, 404}, {300, 180}},
        .failures = {},
    },
    {
        .name = "TerminatedIgnoresInput",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {respond_at(0, 500), retransmission_at(32500), respond_at(33000, 200)},
        .transmissions = {{0, "SIP/2.0 500"}},
        .transitions = {{0, State::kCompleted}, {32000, State::kTerminated}},
        .rejected_responses = {{33000, 200}},
        .failures = {},
    },
    {
        // Timer J is zero over reliable transports.
        .name = "ReliableFinalTerminatesAtOnce",
        .timers = kRfcTimers,
        .reliable = true,
        .inputs = {respond_at(10, 100), retransmission_at(20), respond_at(30, 200),
                   retransmission_at(40), respond_at(50, 200)},
        .transmissions = {{10, "SIP/2.0 100"}, {20, "SIP/2.0 100"}, {30, "SIP/2.0 200"}},
        .transitions = {{10, State::kProceeding}, {30, State::kTerminated}},
        .rejected_responses = {{50, 200}},
        .failures = {},
    },
    {
        .name = "CustomT1SetsTimerJ",
        .timers = {milliseconds(100), milliseconds(400), milliseconds(1000)},
        .reliable = false,
        .inputs = {respond_at(100, 202), retransmission_at(6499), retransmission_at(6501)},
        .transmissions = {{100, "SIP/2.0 202"}, {6499, "SIP/2.0 202"}},
        .transitions = {{100, State::kCompleted}, {6500, State::kTerminated}},
        .rejected_responses = {},
        .failures = {},
    },
    {
        .name = "TransportFailureInTrying",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {transport_failure_at(100), respond_at(200, 200), retransmission_at(300)},
        .transmissions = {},
        .transitions = {{100, State::kTerminated}},
        .rejected_responses = {{200, 200}},
        .failures = {{100, kTransportError}},
    },
    {
        .name = "TransportFailureInProceeding",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {respond_at(100, 100), transport_failure_at(200), retransmission_at(300),
                   respond_at(400, 200)},
        .transmissions = {{100, "SIP/2.0 100"}},
        .transitions = {{100, State::kProceeding}, {200, State::kTerminated}},
        .rejected_responses = {{400, 200}},
        .failures = {{200, kTransportError}},
    },
    {
        .name = "TransportFailureInCompleted",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {respond_at(100, 200), transport_failure_at(200), retransmission_at(300)},
        .transmissions = {{100, "SIP/2.0 200"}},
        .transitions = {{100, State::kCompleted}, {200, State::kTerminated}},
        .rejected_responses = {},
        .failures = {{200, kTransportError}},
    },
    {
        .name = "TransportFailureAfterTimerJ",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {respond_at(100, 200), transport_failure_at(40000)},
        .transmissions = {{100, "SIP/2.0 200"}},
        .transitions = {{100, State::kCompleted}, {32100, State::kTerminated}},
        .rejected_responses = {},
        .failures = {},
    },
};

class ServerTransactionTable : public ::testing::TestWithParam<ServerCase> {};

TEST_P(ServerTransactionTable, FollowsFigure8) {
  const ServerCase& test_case = GetParam();
  ServerHarness harness(test_case.timers, test_case.reliable);
  for (const ServerInput& input : test_case.inputs) {
    switch (input.input) {
      case Input::kRetransmission:
        harness.receive_retransmission_at(milliseconds(input.at_ms));
        break;
      case Input::kRespond:
        harness.respond_at(milliseconds(input.at_ms), input.status_code);
        break;
      case Input::kTransportFailure:
        harness.fail_transport_at(milliseconds(input.at_ms));
        break;
    }
  }

  harness.run_until_idle();

  EXPECT_EQ(harness.transmissions, test_case.transmissions);
  EXPECT_EQ(harness.transitions, test_case.transitions);
  EXPECT_EQ(harness.rejected_responses, test_case.rejected_responses);
  EXPECT_EQ(harness.failures, test_case.failures);
  EXPECT_EQ(harness.state(), TransactionState::kTerminated);
}

INSTANTIATE_TEST_SUITE_P(Cases, ServerTransactionTable, ::testing::ValuesIn(kServerCases),
                         [](const ::testing::TestParamInfo<ServerCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(ServerTransaction, StartsInTryingWithoutTimers) {
  ServerHarness harness(kRfcTimers, /*reliable=*/false);

  harness.machine().receive_request_retransmission();

  EXPECT_EQ(harness.state(), TransactionState::kTrying);
  EXPECT_TRUE(harness.transmissions.empty());
  EXPECT_TRUE(harness.timer_starts.empty());
}

TEST(ServerTransaction, FinalOverUdpStartsTimerJ) {
  ServerHarness harness(kRfcTimers, /*reliable=*/false);

  EXPECT_TRUE(harness.machine().respond(100, response_text(100)));
  EXPECT_TRUE(harness.machine().respond(200, response_text(200)));

  EXPECT_EQ(harness.state(), TransactionState::kCompleted);
  EXPECT_EQ(harness.timer_starts, (std::vector<TransactionTimer>{TransactionTimer::kJ}));
  EXPECT_EQ(harness.timer_delays_ms, (std::vector<std::int64_t>{32000}));
}

TEST(ServerTransaction, FinalOverTcpStartsNoTimer) {
  ServerHarness harness(kRfcTimers, /*reliable=*/true);

  EXPECT_TRUE(harness.machine().respond(200, response_text(200)));

  EXPECT_EQ(harness.state(), TransactionState::kTerminated);
  EXPECT_TRUE(harness.timer_starts.empty());
}

TEST(ServerTransaction, ProvisionalsStayInProceeding) {
  ServerHarness harness(kRfcTimers, /*reliable=*/false);

  EXPECT_TRUE(harness.machine().respond(100, response_text(100)));
  EXPECT_TRUE(harness.machine().respond(180, response_text(180)));
  EXPECT_TRUE(harness.machine().respond(183, response_text(183)));

  EXPECT_EQ(harness.state(), TransactionState::kProceeding);
  EXPECT_TRUE(harness.timer_starts.empty());
  EXPECT_EQ(harness.transmissions.size(), 3u);
}

}  // namespace
}  // namespace sippay::sip
