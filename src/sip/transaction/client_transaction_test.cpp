// The non-INVITE client transaction machine alone (RFC 3261 §17.1.2, figure
// 6), run on a ManualTimerService through a Context that records each call.
#include "sip/transaction/client_transaction.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sip/message.hpp"
#include "sip/transaction/timer_service.hpp"

namespace sippay::sip {
namespace {

using std::chrono::milliseconds;

// The RFC's defaults (table 4), spelled out so that the tables below read
// against them.
constexpr TimerConfig kRfcTimers{milliseconds(500), milliseconds(4000), milliseconds(5000)};

ReceivedMessage response_with_status(int status_code) {
  const std::string text = "SIP/2.0 " + std::to_string(status_code) +
                           " Reason\r\n"
                           "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-client-machine\r\n"
                           "From: <sip:payer@example.com>;tag=payer\r\n"
                           "To: <sip:merchant@example.net>;tag=merchant\r\n"
                           "Call-ID: client-machine@192.0.2.1\r\n"
                           "CSeq: 1 MESSAGE\r\n"
                           "Content-Length: 0\r\n"
                           "\r\n";
  Result<Message> parsed = parse_message_owned(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
  return ReceivedMessage{std::move(parsed).value(), {}, {}, 0};
}

// Events in milliseconds since the transaction started, so that a failed
// comparison prints numbers.
struct Delivery {
  std::int64_t at_ms;
  int status_code;
  bool operator==(const Delivery&) const = default;
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

struct TimerStart {
  std::int64_t at_ms;
  TransactionTimer timer;
  std::int64_t delay_ms;
  bool operator==(const TimerStart&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Delivery& delivery) {
  return out << delivery.status_code << " at " << delivery.at_ms << " ms";
}
std::ostream& operator<<(std::ostream& out, const Failure& failure) {
  return out << to_string(failure.failure) << " at " << failure.at_ms << " ms";
}
std::ostream& operator<<(std::ostream& out, const Transition& transition) {
  return out << to_string(transition.state) << " at " << transition.at_ms << " ms";
}
std::ostream& operator<<(std::ostream& out, const TimerStart& start) {
  return out << "timer " << to_string(start.timer) << " for " << start.delay_ms << " ms at "
             << start.at_ms << " ms";
}

// Runs a NonInviteClientTransaction on a manual clock. The Context records
// every call, runs the machine's timers on the clock and checks that the
// machine never starts a timer that is still running.
class ClientHarness final : public NonInviteClientTransaction::Context {
 public:
  ClientHarness(TimerConfig timers, bool reliable) : machine_(*this, timers, reliable) {}

  void transmit_request() override { transmissions.push_back(now_ms()); }

  void start_timer(TransactionTimer timer, milliseconds delay) override {
    TimerService::TimerId& slot = running_[index(timer)];
    if (slot != 0) ++timers_restarted_while_running;
    timer_starts.push_back({now_ms(), timer, delay.count()});
    slot = clock_.start(delay, [this, timer] {
      running_[index(timer)] = 0;
      machine_.timer_fired(timer);
      note_state();
    });
  }

  void cancel_timer(TransactionTimer timer) override {
    TimerService::TimerId& slot = running_[index(timer)];
    if (slot != 0) clock_.cancel(slot);
    slot = 0;
  }

  void deliver_response(const ReceivedMessage& response) override {
    deliveries.push_back({now_ms(), response.message.status_code()});
  }

  void report_failure(TransactionFailure failure) override {
    failures.push_back({now_ms(), failure});
  }

  void start() {
    machine_.start();
    note_state();
  }

  // Schedules a response `at` after the start. Inputs scheduled before
  // start() fire before machine timers due at the same instant.
  void receive_response_at(milliseconds at, int status_code) {
    clock_.start(at, [this, status_code] {
      machine_.receive_response(response_with_status(status_code));
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
  bool timer_running(TransactionTimer timer) const { return running_[index(timer)] != 0; }

  std::vector<std::int64_t> transmissions;
  std::vector<Delivery> deliveries;
  std::vector<Failure> failures;
  std::vector<Transition> transitions;
  std::vector<TimerStart> timer_starts;
  int timers_restarted_while_running = 0;
  // Timers still running when the machine reached Terminated.
  std::vector<TransactionTimer> running_at_termination;

 private:
  static std::size_t index(TransactionTimer timer) { return static_cast<std::size_t>(timer); }
  std::int64_t now_ms() const { return clock_.now().count(); }

  void note_state() {
    const TransactionState state = machine_.state();
    if (state == last_state_) return;
    last_state_ = state;
    transitions.push_back({now_ms(), state});
    if (state != TransactionState::kTerminated) return;
    for (TransactionTimer timer : {TransactionTimer::kE, TransactionTimer::kF,
                                   TransactionTimer::kK, TransactionTimer::kJ}) {
      if (timer_running(timer)) running_at_termination.push_back(timer);
    }
  }

  ManualTimerService clock_;
  std::array<TimerService::TimerId, 4> running_{};
  TransactionState last_state_ = TransactionState::kTrying;
  NonInviteClientTransaction machine_;
};

// One input to the machine, at a time after the start.
struct ClientInput {
  std::int64_t at_ms;
  int status_code;  // 0 for a transport failure
};

constexpr int kTransportFailure = 0;

struct ClientCase {
  const char* name;
  TimerConfig timers;
  bool reliable;
  std::vector<ClientInput> inputs;
  std::vector<std::int64_t> transmissions;
  std::vector<Transition> transitions;
  std::vector<Delivery> deliveries;
  std::vector<Failure> failures;
};

// first, first + step, ... up to and including last.
std::vector<std::int64_t> every(std::int64_t first, std::int64_t step, std::int64_t last) {
  std::vector<std::int64_t> times;
  for (std::int64_t t = first; t <= last; t += step) times.push_back(t);
  return times;
}

std::vector<std::int64_t> concat(std::vector<std::int64_t> head,
                                 const std::vector<std::int64_t>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

using State = TransactionState;
constexpr auto kTimeout = TransactionFailure::kTimeout;
constexpr auto kTransportError = TransactionFailure::kTransportError;

const ClientCase kClientCases[] = {
    {
        // Timer E doubles from T1 up to T2 and stays there until Timer F fires.
        .name = "UdpWithoutResponseTimesOut",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {},
        .transmissions = {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500},
        .transitions = {{32000, State::kTerminated}},
        .deliveries = {},
        .failures = {{32000, kTimeout}},
    },
    {
        .name = "UdpFinalInTryingWaitsTimerK",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {{1000, 200}},
        .transmissions = {0, 500},
        .transitions = {{1000, State::kCompleted}, {6000, State::kTerminated}},
        .deliveries = {{1000, 200}},
        .failures = {},
    },
    {
        // The Timer E running when the 100 arrives keeps its deadline, and
        // from then on it restarts with T2.
        .name = "UdpProvisionalThenFinal",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {{700, 100}, {10000, 200}},
        .transmissions = {0, 500, 1500, 5500, 9500},
        .transitions = {{700, State::kProceeding},
                        {10000, State::kCompleted},
                        {15000, State::kTerminated}},
        .deliveries = {{700, 100}, {10000, 200}},
        .failures = {},
    },
    {
        .name = "UdpProceedingTimesOut",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {{200, 100}},
        .transmissions = concat({0}, every(500, 4000, 31999)),
        .transitions = {{200, State::kProceeding}, {32000, State::kTerminated}},
        .deliveries = {{200, 100}},
        .failures = {{32000, kTimeout}},
    },
    {
        .name = "EveryProvisionalDelivered",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {{100, 100}, {200, 180}, {300, 100}, {400, 202}},
        .transmissions = {0},
        .transitions = {{100, State::kProceeding},
                        {400, State::kCompleted},
                        {5400, State::kTerminated}},
        .deliveries = {{100, 100}, {200, 180}, {300, 100}, {400, 202}},
        .failures = {},
    },
    {
        // Retransmitted finals, other finals and late provisionals are
        // absorbed in Completed.
        .name = "CompletedAbsorbsResponses",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {{100, 404}, {200, 404}, {300, 200}, {400, 180}},
        .transmissions = {0},
        .transitions = {{100, State::kCompleted}, {5100, State::kTerminated}},
        .deliveries = {{100, 404}},
        .failures = {},
    },
    {
        .name = "TerminatedIgnoresResponses",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {{100, 603}, {6000, 603}, {6100, 100}},
        .transmissions = {0},
        .transitions = {{100, State::kCompleted}, {5100, State::kTerminated}},
        .deliveries = {{100, 603}},
        .failures = {},
    },
    {
        .name = "ResponseAfterTimeoutIgnored",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {{33000, 200}},
        .transmissions = {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500},
        .transitions = {{32000, State::kTerminated}},
        .deliveries = {},
        .failures = {{32000, kTimeout}},
    },
    {
        .name = "ReliableSendsOnceAndTimesOut",
        .timers = kRfcTimers,
        .reliable = true,
        .inputs = {},
        .transmissions = {0},
        .transitions = {{32000, State::kTerminated}},
        .deliveries = {},
        .failures = {{32000, kTimeout}},
    },
    {
        // Timer K is zero over reliable transports.
        .name = "ReliableFinalTerminatesAtOnce",
        .timers = kRfcTimers,
        .reliable = true,
        .inputs = {{50, 100}, {100, 200}, {150, 200}},
        .transmissions = {0},
        .transitions = {{50, State::kProceeding}, {100, State::kTerminated}},
        .deliveries = {{50, 100}, {100, 200}},
        .failures = {},
    },
    {
        .name = "CustomT1AndT2",
        .timers = {milliseconds(100), milliseconds(400), milliseconds(1000)},
        .reliable = false,
        .inputs = {},
        .transmissions = concat({0, 100, 300}, every(700, 400, 6399)),
        .transitions = {{6400, State::kTerminated}},
        .deliveries = {},
        .failures = {{6400, kTimeout}},
    },
    {
        .name = "CustomT4SetsTimerK",
        .timers = {milliseconds(200), milliseconds(1000), milliseconds(2000)},
        .reliable = false,
        .inputs = {{1000, 486}},
        .transmissions = {0, 200, 600},
        .transitions = {{1000, State::kCompleted}, {3000, State::kTerminated}},
        .deliveries = {{1000, 486}},
        .failures = {},
    },
    {
        .name = "CustomT2InProceeding",
        .timers = {milliseconds(100), milliseconds(300), milliseconds(1000)},
        .reliable = false,
        .inputs = {{150, 180}},
        .transmissions = concat({0, 100}, every(300, 300, 6399)),
        .transitions = {{150, State::kProceeding}, {6400, State::kTerminated}},
        .deliveries = {{150, 180}},
        .failures = {{6400, kTimeout}},
    },
    {
        .name = "TransportFailureInTrying",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {{250, kTransportFailure}},
        .transmissions = {0},
        .transitions = {{250, State::kTerminated}},
        .deliveries = {},
        .failures = {{250, kTransportError}},
    },
    {
        .name = "TransportFailureInProceeding",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {{100, 100}, {2000, kTransportFailure}},
        .transmissions = {0, 500},
        .transitions = {{100, State::kProceeding}, {2000, State::kTerminated}},
        .deliveries = {{100, 100}},
        .failures = {{2000, kTransportError}},
    },
    {
        // The user already has its final response, so no failure follows.
        .name = "TransportFailureInCompleted",
        .timers = kRfcTimers,
        .reliable = false,
        .inputs = {{100, 200}, {200, kTransportFailure}},
        .transmissions = {0},
        .transitions = {{100, State::kCompleted}, {200, State::kTerminated}},
        .deliveries = {{100, 200}},
        .failures = {},
    },
    {
        .name = "TransportFailureAfterTimeout",
        .timers = kRfcTimers,
        .reliable = true,
        .inputs = {{40000, kTransportFailure}},
        .transmissions = {0},
        .transitions = {{32000, State::kTerminated}},
        .deliveries = {},
        .failures = {{32000, kTimeout}},
    },
};

class ClientTransactionTable : public ::testing::TestWithParam<ClientCase> {};

TEST_P(ClientTransactionTable, FollowsFigure6) {
  const ClientCase& test_case = GetParam();
  ClientHarness harness(test_case.timers, test_case.reliable);
  for (const ClientInput& input : test_case.inputs) {
    if (input.status_code == kTransportFailure) {
      harness.fail_transport_at(milliseconds(input.at_ms));
    } else {
      harness.receive_response_at(milliseconds(input.at_ms), input.status_code);
    }
  }

  harness.start();
  harness.run_until_idle();

  EXPECT_EQ(harness.transmissions, test_case.transmissions);
  EXPECT_EQ(harness.transitions, test_case.transitions);
  EXPECT_EQ(harness.deliveries, test_case.deliveries);
  EXPECT_EQ(harness.failures, test_case.failures);
  EXPECT_EQ(harness.state(), TransactionState::kTerminated);
  EXPECT_EQ(harness.timers_restarted_while_running, 0);
  EXPECT_TRUE(harness.running_at_termination.empty())
      << harness.running_at_termination.size() << " timers left running, the first "
      << to_string(harness.running_at_termination.front());
}

INSTANTIATE_TEST_SUITE_P(Cases, ClientTransactionTable, ::testing::ValuesIn(kClientCases),
                         [](const ::testing::TestParamInfo<ClientCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(ClientTransaction, StartOverUdpStartsTimersEAndF) {
  ClientHarness harness(kRfcTimers, /*reliable=*/false);
  EXPECT_EQ(harness.state(), TransactionState::kTrying);

  harness.start();

  EXPECT_EQ(harness.state(), TransactionState::kTrying);
  EXPECT_EQ(harness.transmissions, (std::vector<std::int64_t>{0}));
  const std::vector<TimerStart> expected = {{0, TransactionTimer::kE, 500},
                                            {0, TransactionTimer::kF, 32000}};
  EXPECT_EQ(harness.timer_starts, expected);
}

TEST(ClientTransaction, StartOverTcpStartsOnlyTimerF) {
  ClientHarness harness(kRfcTimers, /*reliable=*/true);

  harness.start();

  const std::vector<TimerStart> expected = {{0, TransactionTimer::kF, 32000}};
  EXPECT_EQ(harness.timer_starts, expected);
}

TEST(ClientTransaction, TimerEIntervalsDoubleUpToT2) {
  ClientHarness harness(kRfcTimers, /*reliable=*/false);
  harness.start();

  harness.advance(milliseconds(12000));

  std::vector<std::int64_t> e_delays;
  for (const TimerStart& start : harness.timer_starts) {
    if (start.timer == TransactionTimer::kE) e_delays.push_back(start.delay_ms);
  }
  EXPECT_EQ(e_delays, (std::vector<std::int64_t>{500, 1000, 2000, 4000, 4000, 4000}));
}

TEST(ClientTransaction, FinalCancelsEAndFAndStartsK) {
  ClientHarness harness(kRfcTimers, /*reliable=*/false);
  harness.receive_response_at(milliseconds(700), 200);
  harness.start();

  harness.advance(milliseconds(700));

  EXPECT_EQ(harness.state(), TransactionState::kCompleted);
  EXPECT_FALSE(harness.timer_running(TransactionTimer::kE));
  EXPECT_FALSE(harness.timer_running(TransactionTimer::kF));
  EXPECT_TRUE(harness.timer_running(TransactionTimer::kK));
  EXPECT_EQ(harness.timer_starts.back(), (TimerStart{700, TransactionTimer::kK, 5000}));
}

TEST(ClientTransaction, ReliableFinalStartsNoTimerK) {
  ClientHarness harness(kRfcTimers, /*reliable=*/true);
  harness.receive_response_at(milliseconds(700), 200);
  harness.start();

  harness.advance(milliseconds(700));

  EXPECT_EQ(harness.state(), TransactionState::kTerminated);
  for (const TimerStart& start : harness.timer_starts) {
    EXPECT_NE(start.timer, TransactionTimer::kK) << start;
  }
}

}  // namespace
}  // namespace sippay::sip
