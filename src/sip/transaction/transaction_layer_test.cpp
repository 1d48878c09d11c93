// Two TransactionLayers, a UAC and a UAS, talking over the simulated network:
// real codec, real machines, a manual clock, and seeded loss, duplication
// and reordering.
#include "sip/transaction/transaction_layer.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sip/message.hpp"
#include "sip/transaction/testing/simulated_network.hpp"

namespace sippay::sip {
namespace {

using std::chrono::milliseconds;
using test_support::NetworkConditions;
using test_support::SimulatedEndpoint;
using test_support::SimulatedNetwork;
using ServerTransactionId = TransactionLayer::ServerTransactionId;

TransportAddress loopback(TransportProtocol protocol, std::uint16_t port) {
  return TransportAddress{protocol, asio::ip::make_address("127.0.0.1"), port};
}

std::string call_id_of(int number) { return fmt::format("call-{}@127.0.0.1", number); }

// A MESSAGE from `from` to `to`, with the headers §8.1.1 requires.
std::string message_request(const TransportAddress& from, const TransportAddress& to,
                            std::string_view call_id, std::string_view branch) {
  constexpr std::string_view kBody = "pay 12.50 EUR";
  return fmt::format(
      "MESSAGE sip:merchant@{2}:{3} SIP/2.0\r\n"
      "Via: SIP/2.0/{4} {0}:{1};branch={5}\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:payer@{0}>;tag=from-{5}\r\n"
      "To: <sip:merchant@{2}>\r\n"
      "Call-ID: {6}\r\n"
      "CSeq: 1 MESSAGE\r\n"
      "Content-Type: text/plain\r\n"
      "Content-Length: {7}\r\n"
      "\r\n"
      "{8}",
      from.address.to_string(), from.port, to.address.to_string(), to.port,
      to_via_token(from.protocol), branch, call_id, kBody.size(), kBody);
}

// A response to `request` as §8.2.6.2 builds it: Via, From, Call-ID and CSeq
// copied, a To tag added.
std::string response_to(const Message& request, int status_code, std::string_view reason) {
  std::string text = fmt::format("SIP/2.0 {} {}\r\n", status_code, reason);
  for (const HeaderField& field : request.headers()) {
    switch (field.id) {
      case HeaderId::kVia:
      case HeaderId::kFrom:
      case HeaderId::kCallId:
      case HeaderId::kCSeq:
        text += fmt::format("{}: {}\r\n", canonical_name(field.id), field.value);
        break;
      case HeaderId::kTo:
        text += fmt::format("To: {}{}\r\n", field.value,
                            request.to()->has_tag ? "" : ";tag=merchant");
        break;
      default:
        break;
    }
  }
  text += "Content-Length: 0\r\n\r\n";
  return text;
}

struct TimedResponse {
  std::int64_t at_ms;
  int status_code;
  bool operator==(const TimedResponse&) const = default;
};

struct TimedFailure {
  std::int64_t at_ms;
  TransactionFailure failure;
  bool operator==(const TimedFailure&) const = default;
};

std::ostream& operator<<(std::ostream& out, const TimedResponse& response) {
  return out << response.status_code << " at " << response.at_ms << " ms";
}
std::ostream& operator<<(std::ostream& out, const TimedFailure& failure) {
  return out << to_string(failure.failure) << " at " << failure.at_ms << " ms";
}

// What the UAC's callbacks reported for one request.
struct UacOutcome {
  std::vector<TimedResponse> responses;
  std::vector<TimedFailure> failures;

  int finals() const {
    int count = 0;
    for (const TimedResponse& response : responses) count += response.status_code >= 200 ? 1 : 0;
    return count;
  }
};

// A UAC layer at port 5060 and a UAS layer at 5070 on one simulated network,
// with a third endpoint at 5080 (`peer`) that sends and receives raw bytes.
// By default the UAS responds to every request with 200 at once.
class LayerPair {
 public:
  using UasBehaviour = std::function<void(ServerTransactionId id, const ReceivedMessage& request)>;

  LayerPair(NetworkConditions conditions, std::uint32_t network_seed, TimerConfig timers = {},
            TransportProtocol protocol = TransportProtocol::kUdp)
      : seed(network_seed),
        network(clock, conditions, seed),
        uac_endpoint(network.add_endpoint(loopback(protocol, 5060))),
        uas_endpoint(network.add_endpoint(loopback(protocol, 5070))),
        peer(network.add_endpoint(loopback(protocol, 5080))),
        uac(clock, uac_endpoint, timers, uac_handlers()),
        uas(clock, uas_endpoint, timers, uas_handlers()) {
    uac_endpoint.set_receiver([this](ReceivedMessage message) { uac.receive(std::move(message)); });
    uas_endpoint.set_receiver([this](ReceivedMessage message) { uas.receive(std::move(message)); });
    uac_endpoint.set_close_receiver([this](std::uint64_t id, std::error_code reason) {
      uac.connection_closed(id, reason);
    });
    uas_endpoint.set_close_receiver([this](std::uint64_t id, std::error_code reason) {
      uas.connection_closed(id, reason);
    });
    uas_behaviour = [this](ServerTransactionId id, const ReceivedMessage& request) {
      EXPECT_TRUE(uas.respond(id, 200, response_to(request.message, 200, "OK")));
    };
  }

  // Sends MESSAGE number `number` (Call-ID call_id_of(number)) through the UAC layer.
  void send_message(int number) { send_message_to(number, uas_endpoint.address()); }

  void send_message_to(int number, const TransportAddress& destination) {
    TransactionLayer::ClientRequest request;
    request.branch = fmt::format("z9hG4bK-{}-{}", seed, number);
    request.method = "MESSAGE";
    request.destination = destination;
    request.bytes = message_request(uac_endpoint.address(), destination, call_id_of(number),
                                    request.branch);
    uac.send_request(
        std::move(request),
        [this, number](const ReceivedMessage& response) {
          outcomes[number].responses.push_back({now_ms(), response.message.status_code()});
        },
        [this, number](TransactionFailure failure) {
          outcomes[number].failures.push_back({now_ms(), failure});
        });
  }

  std::int64_t now_ms() const { return clock.now().count(); }

  ManualTimerService clock;
  std::uint32_t seed;
  SimulatedNetwork network;
  SimulatedEndpoint& uac_endpoint;
  SimulatedEndpoint& uas_endpoint;
  SimulatedEndpoint& peer;
  TransactionLayer uac;
  TransactionLayer uas;

  UasBehaviour uas_behaviour;
  std::map<int, UacOutcome> outcomes;           // by request number
  std::map<std::string, int> deliveries;        // on_request calls by Call-ID
  std::vector<std::string> stateless_requests;  // methods, in arrival order
  std::vector<std::pair<ServerTransactionId, TransactionFailure>> server_failures;

 private:
  TransactionLayer::Handlers uac_handlers() {
    TransactionLayer::Handlers handlers;
    handlers.on_request = [](ServerTransactionId, const ReceivedMessage& request) {
      ADD_FAILURE() << "the UAC received a request: " << request.message.method();
    };
    return handlers;
  }

  TransactionLayer::Handlers uas_handlers() {
    TransactionLayer::Handlers handlers;
    // The behaviour runs first, so the request is read after respond() too.
    handlers.on_request = [this](ServerTransactionId id, const ReceivedMessage& request) {
      uas_behaviour(id, request);
      ++deliveries[std::string(request.message.call_id())];
    };
    handlers.on_stateless_request = [this](const ReceivedMessage& request) {
      stateless_requests.emplace_back(request.message.method());
    };
    handlers.on_server_failure = [this](ServerTransactionId id, TransactionFailure failure) {
      server_failures.emplace_back(id, failure);
    };
    return handlers;
  }
};

TEST(TransactionLayer, NoLossDeliversEachRequestOnce) {
  LayerPair pair(NetworkConditions{}, /*seed=*/1);
  constexpr int kRequests = 20;
  for (int number = 0; number < kRequests; ++number) pair.send_message(number);

  pair.clock.advance(milliseconds(20));  // 10 ms each way

  ASSERT_EQ(pair.deliveries.size(), static_cast<std::size_t>(kRequests));
  for (int number = 0; number < kRequests; ++number) {
    SCOPED_TRACE(call_id_of(number));
    EXPECT_EQ(pair.deliveries[call_id_of(number)], 1);
    EXPECT_EQ(pair.outcomes[number].responses, (std::vector<TimedResponse>{{20, 200}}));
    EXPECT_TRUE(pair.outcomes[number].failures.empty());
  }
  EXPECT_EQ(pair.uac_endpoint.messages_sent(), static_cast<std::uint64_t>(kRequests));
  EXPECT_EQ(pair.uas_endpoint.messages_sent(), static_cast<std::uint64_t>(kRequests));
  // Completed transactions only absorb retransmissions now.
  EXPECT_EQ(pair.uac.unfinished_transactions(), 0u);
  EXPECT_EQ(pair.uas.unfinished_transactions(), 0u);

  // Timer K (T4) keeps the client transactions until 20 + 5000 ms.
  pair.clock.advance(milliseconds(4999));
  EXPECT_EQ(pair.uac.client_transactions(), static_cast<std::size_t>(kRequests));
  pair.clock.advance(milliseconds(1));
  EXPECT_EQ(pair.uac.client_transactions(), 0u);

  // Timer J (64*T1) keeps the server transactions until 10 + 32000 ms.
  pair.clock.advance(milliseconds(32009 - 5020));
  EXPECT_EQ(pair.uas.server_transactions(), static_cast<std::size_t>(kRequests));
  pair.clock.advance(milliseconds(1));
  EXPECT_EQ(pair.uas.server_transactions(), 0u);

  pair.clock.run_until_idle();
  EXPECT_EQ(pair.clock.pending(), 0u);
  EXPECT_EQ(pair.uac.counters().stray_responses, 0u);
  EXPECT_EQ(pair.uas.counters().absorbed_retransmissions, 0u);
  EXPECT_EQ(pair.network.counters().copies_unparsable, 0u);
}

struct LossySummary {
  int requests = 0;
  int timeouts = 0;
};

// Sends `requests` MESSAGEs, 50 ms apart, for each seed from 1 to `seeds`,
// and checks every request's fate: delivered to the UAS exactly once with
// one final response back, or timed out by Timer F with no final response
// and at most one delivery. Stops at the first seed that fails.
LossySummary run_lossy_exchanges(const NetworkConditions& conditions, int seeds, int requests) {
  LossySummary summary;
  for (int seed = 1; seed <= seeds && !::testing::Test::HasFailure(); ++seed) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    LayerPair pair(conditions, static_cast<std::uint32_t>(seed));
    for (int number = 0; number < requests; ++number) {
      pair.clock.start(milliseconds(50 * number), [&pair, number] { pair.send_message(number); });
    }

    pair.clock.run_until_idle();

    int seed_timeouts = 0;
    for (int number = 0; number < requests; ++number) {
      SCOPED_TRACE(call_id_of(number));
      const UacOutcome& outcome = pair.outcomes[number];
      const int delivered = pair.deliveries[call_id_of(number)];
      EXPECT_EQ(outcome.finals() + static_cast<int>(outcome.failures.size()), 1);
      if (outcome.finals() == 1) {
        EXPECT_TRUE(outcome.failures.empty());
        EXPECT_EQ(delivered, 1);
        EXPECT_EQ(outcome.responses.back().status_code, 200);
      } else if (outcome.failures.size() == 1) {
        // Every copy of the request, or every response to it, was lost.
        EXPECT_EQ(outcome.failures.front().failure, TransactionFailure::kTimeout);
        EXPECT_EQ(outcome.failures.front().at_ms, 50 * number + 32000);
        EXPECT_LE(delivered, 1);
        ++seed_timeouts;
      }
    }
    summary.requests += requests;
    summary.timeouts += seed_timeouts;

    EXPECT_LE(pair.deliveries.size(), static_cast<std::size_t>(requests));
    EXPECT_EQ(pair.uac.client_transactions(), 0u);
    EXPECT_EQ(pair.uas.server_transactions(), 0u);
    EXPECT_EQ(pair.uac.counters().timeouts, static_cast<std::uint64_t>(seed_timeouts));
    EXPECT_EQ(pair.uac.counters().transport_errors, 0u);
    EXPECT_EQ(pair.network.counters().copies_unparsable, 0u);
    // Responses outlive their client transaction only when it timed out.
    if (seed_timeouts == 0) {
      EXPECT_EQ(pair.uac.counters().stray_responses, 0u);
    }
  }
  return summary;
}

// Loss of 30% of copies, duplication of 20% of messages, and 10% of copies
// delayed by up to 400 ms. Timer J (64*T1) outlasts every retransmission as
// long as the extra delay stays below T1, so no retransmission can open a
// second server transaction.
TEST(TransactionLayer, LossyNetworkDeliversEachRequestOnce) {
  NetworkConditions lossy;
  lossy.loss = 0.3;
  lossy.duplication = 0.2;
  lossy.reordering = 0.1;
  lossy.reorder_delay = milliseconds(400);

  const LossySummary summary = run_lossy_exchanges(lossy, /*seeds=*/200, /*requests=*/20);

  // A request times out when none of its 11 sends makes a round trip. A
  // message crosses with probability 0.8 * 0.7 + 0.2 * (1 - 0.3^2) = 0.74,
  // so a rough estimate is (1 - 0.74^2)^11 = 1.6e-4 of requests, below one
  // in 4000 on average. Seeds 1 to 200 give none.
  EXPECT_EQ(summary.requests, 4000);
  EXPECT_LE(summary.timeouts, summary.requests / 200) << summary.timeouts << " timed out";
}

// At 60% loss about 8% of requests time out (73 of 1000 for seeds 1 to
// 50), so this run covers the Timer F branch of the checks, which the 30%
// run hardly ever reaches.
TEST(TransactionLayer, HeavyLossTimesOutConsistently) {
  NetworkConditions heavy;
  heavy.loss = 0.6;
  heavy.duplication = 0.2;
  heavy.reordering = 0.1;
  heavy.reorder_delay = milliseconds(400);

  const LossySummary summary = run_lossy_exchanges(heavy, /*seeds=*/50, /*requests=*/20);

  EXPECT_GT(summary.timeouts, 0);
  EXPECT_LT(summary.timeouts, summary.requests / 4) << summary.timeouts << " timed out";
}

TEST(TransactionLayer, ProvisionalThenFinal) {
  LayerPair pair(NetworkConditions{}, /*seed=*/1);
  pair.uas_behaviour = [&pair](ServerTransactionId id, const ReceivedMessage& request) {
    EXPECT_TRUE(pair.uas.respond(id, 100, response_to(request.message, 100, "Trying")));
    std::string final_response = response_to(request.message, 200, "OK");
    pair.clock.start(milliseconds(6000), [&pair, id, final_response] {
      EXPECT_TRUE(pair.uas.respond(id, 200, final_response));
    });
  };

  pair.send_message(0);
  pair.clock.advance(milliseconds(1000));
  EXPECT_EQ(pair.uac.unfinished_transactions(), 1u);  // Proceeding
  EXPECT_EQ(pair.uas.unfinished_transactions(), 1u);  // Proceeding
  pair.clock.run_until_idle();

  // The request reaches the UAS at 10 ms. The 100 arrives at 20 ms, before
  // Timer E, which then retransmits at 500 ms and every T2 (4 s) after. The
  // UAS resends the 100 for each retransmission, and the UAC passes every
  // provisional up (§17.1.2.2).
  const std::vector<TimedResponse> expected = {{20, 100}, {520, 100}, {4520, 100}, {6020, 200}};
  EXPECT_EQ(pair.outcomes[0].responses, expected);
  EXPECT_TRUE(pair.outcomes[0].failures.empty());
  EXPECT_EQ(pair.deliveries[call_id_of(0)], 1);
  EXPECT_EQ(pair.uas.counters().absorbed_retransmissions, 2u);
  EXPECT_EQ(pair.uac.client_transactions(), 0u);
  EXPECT_EQ(pair.uas.server_transactions(), 0u);
}

TEST(TransactionLayer, SilentUasTimesOutAtTimerF) {
  struct Case {
    TimerConfig timers;
    std::uint64_t transmissions;  // the first send and every Timer E before 64*T1
  };
  const Case cases[] = {
      {TimerConfig{}, 11},
      {TimerConfig{milliseconds(100), milliseconds(4000), milliseconds(5000)}, 7},
      {TimerConfig{milliseconds(250), milliseconds(500), milliseconds(1000)}, 33},
  };
  for (const Case& test_case : cases) {
    SCOPED_TRACE(fmt::format("T1 {} ms", test_case.timers.t1.count()));
    LayerPair pair(NetworkConditions{}, /*seed=*/1, test_case.timers);
    pair.uas_behaviour = [](ServerTransactionId, const ReceivedMessage&) {};

    pair.send_message(0);
    pair.clock.run_until_idle();

    const std::int64_t timer_f_ms = 64 * test_case.timers.t1.count();
    EXPECT_EQ(pair.outcomes[0].failures,
              (std::vector<TimedFailure>{{timer_f_ms, TransactionFailure::kTimeout}}));
    EXPECT_TRUE(pair.outcomes[0].responses.empty());
    EXPECT_EQ(pair.uac_endpoint.messages_sent(), test_case.transmissions);
    EXPECT_EQ(pair.deliveries[call_id_of(0)], 1);
    EXPECT_EQ(pair.uas.counters().absorbed_retransmissions, test_case.transmissions - 1);
    EXPECT_EQ(pair.uac.counters().timeouts, 1u);
    EXPECT_EQ(pair.uac.client_transactions(), 0u);
    // A non-INVITE server transaction has no timer in Trying (§17.2.2): it
    // waits for the user's response for as long as the user takes.
    EXPECT_EQ(pair.uas.server_transactions(), 1u);
  }
}

TEST(TransactionLayer, RequestSendErrorReportedOnce) {
  for (const bool synchronous : {false, true}) {
    SCOPED_TRACE(synchronous ? "completion inside send" : "completion from a timer");
    NetworkConditions conditions;
    conditions.synchronous_completion = synchronous;
    LayerPair pair(conditions, /*seed=*/1);
    pair.uac_endpoint.set_send_error(std::make_error_code(std::errc::network_unreachable));

    pair.send_message(0);
    pair.clock.run_until_idle();

    EXPECT_EQ(pair.outcomes[0].failures,
              (std::vector<TimedFailure>{{0, TransactionFailure::kTransportError}}));
    EXPECT_TRUE(pair.outcomes[0].responses.empty());
    EXPECT_EQ(pair.uac.counters().transport_errors, 1u);
    EXPECT_EQ(pair.uac.counters().timeouts, 0u);
    EXPECT_EQ(pair.uac.client_transactions(), 0u);
    EXPECT_EQ(pair.uac_endpoint.messages_sent(), 0u);
    EXPECT_TRUE(pair.deliveries.empty());
  }
}

TEST(TransactionLayer, RetransmissionSendErrorReportedOnce) {
  for (const bool synchronous : {false, true}) {
    SCOPED_TRACE(synchronous ? "completion inside send" : "completion from a timer");
    NetworkConditions conditions;
    conditions.loss = 1.0;
    conditions.synchronous_completion = synchronous;
    LayerPair pair(conditions, /*seed=*/1);
    pair.clock.start(milliseconds(1000), [&pair] {
      pair.uac_endpoint.set_send_error(std::make_error_code(std::errc::host_unreachable));
    });

    pair.send_message(0);
    pair.clock.run_until_idle();

    // Timer E sent at 500 ms, then failed to send at 1500 ms.
    EXPECT_EQ(pair.outcomes[0].failures,
              (std::vector<TimedFailure>{{1500, TransactionFailure::kTransportError}}));
    EXPECT_EQ(pair.uac_endpoint.messages_sent(), 2u);
    EXPECT_EQ(pair.uac.counters().transport_errors, 1u);
    EXPECT_EQ(pair.uac.counters().timeouts, 0u);
    EXPECT_EQ(pair.uac.client_transactions(), 0u);
  }
}

TEST(TransactionLayer, ResponseSendErrorReachesUser) {
  for (const bool synchronous : {false, true}) {
    SCOPED_TRACE(synchronous ? "completion inside send" : "completion from a timer");
    NetworkConditions conditions;
    conditions.synchronous_completion = synchronous;
    LayerPair pair(conditions, /*seed=*/1);
    pair.uas_endpoint.set_send_error(std::make_error_code(std::errc::network_unreachable));
    std::vector<ServerTransactionId> ids;
    pair.uas_behaviour = [&](ServerTransactionId id, const ReceivedMessage& request) {
      ids.push_back(id);
      EXPECT_TRUE(pair.uas.respond(id, 200, response_to(request.message, 200, "OK")));
    };

    // One copy from an endpoint without a transaction layer, so nothing
    // retransmits it.
    pair.peer.send_raw(message_request(pair.peer.address(), pair.uas_endpoint.address(),
                                       call_id_of(0), "z9hG4bK-raw"),
                       pair.uas_endpoint.address());
    pair.clock.run_until_idle();

    ASSERT_EQ(ids.size(), 1u);
    const std::vector<std::pair<ServerTransactionId, TransactionFailure>> expected = {
        {ids[0], TransactionFailure::kTransportError}};
    EXPECT_EQ(pair.server_failures, expected);
    EXPECT_EQ(pair.uas.counters().transport_errors, 1u);
    EXPECT_EQ(pair.uas.server_transactions(), 0u);
    EXPECT_FALSE(pair.uas.respond(ids[0], 500, "SIP/2.0 500 Server Internal Error\r\n\r\n"));
  }
}

TEST(TransactionLayer, StrayResponsesCounted) {
  LayerPair pair(NetworkConditions{}, /*seed=*/1);
  // The peer plays a UAS that sends its final response three times: at
  // once, while Timer K runs (absorbed) and after Timer K (stray).
  std::vector<std::string> requests_seen;
  pair.peer.set_receiver([&](ReceivedMessage request) {
    const std::string response = response_to(request.message, 200, "OK");
    requests_seen.emplace_back(request.message.call_id());
    for (const milliseconds delay : {milliseconds(0), milliseconds(3000), milliseconds(6000)}) {
      pair.clock.start(delay, [&pair, response] {
        pair.peer.send_raw(response, pair.uac_endpoint.address());
      });
    }
  });

  pair.send_message_to(0, pair.peer.address());
  pair.clock.run_until_idle();

  EXPECT_EQ(requests_seen, (std::vector<std::string>{call_id_of(0)}));
  EXPECT_EQ(pair.outcomes[0].responses, (std::vector<TimedResponse>{{20, 200}}));
  EXPECT_EQ(pair.uac.counters().stray_responses, 1u);

  // A response to a branch the UAC never used.
  const std::string unknown =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-never-sent\r\n"
      "From: <sip:payer@127.0.0.1>;tag=1\r\n"
      "To: <sip:merchant@127.0.0.1>;tag=2\r\n"
      "Call-ID: unknown@127.0.0.1\r\n"
      "CSeq: 1 MESSAGE\r\n"
      "Content-Length: 0\r\n\r\n";
  pair.peer.send_raw(unknown, pair.uac_endpoint.address());
  pair.clock.run_until_idle();

  EXPECT_EQ(pair.uac.counters().stray_responses, 2u);
  EXPECT_EQ(pair.outcomes.size(), 1u);
}

TEST(TransactionLayer, StatelessRequestsBypassTransactions) {
  LayerPair pair(NetworkConditions{}, /*seed=*/1);
  const TransportAddress from = pair.peer.address();
  const TransportAddress to = pair.uas_endpoint.address();
  auto without = [](std::string text, std::string_view header) {
    const std::size_t start = text.find(header);
    text.erase(start, text.find("\r\n", start) + 2 - start);
    return text;
  };
  const std::string message = message_request(from, to, "stateless@127.0.0.1", "z9hG4bK-s1");
  std::string invite = message_request(from, to, "invite@127.0.0.1", "z9hG4bK-s2");
  invite.replace(0, 7, "INVITE");
  invite.replace(invite.find("CSeq: 1 MESSAGE"), 15, "CSeq: 1 INVITE");
  std::string ack = message_request(from, to, "invite@127.0.0.1", "z9hG4bK-s2");
  ack.replace(0, 7, "ACK");
  ack.replace(ack.find("CSeq: 1 MESSAGE"), 15, "CSeq: 1 ACK");

  struct Case {
    const char* name;
    std::string bytes;
    const char* method;
  };
  const Case cases[] = {
      {"INVITE", invite, "INVITE"},
      {"ACK", ack, "ACK"},
      {"no Call-ID", without(message, "Call-ID:"), "MESSAGE"},
      {"no CSeq", without(message, "CSeq:"), "MESSAGE"},
      {"no Via", without(message, "Via:"), "MESSAGE"},
      {"no From", without(message, "From:"), "MESSAGE"},
  };
  std::vector<std::string> expected;
  for (const Case& test_case : cases) {
    SCOPED_TRACE(test_case.name);
    const Result<Message> parsed = parse_message_owned(test_case.bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
    pair.peer.send_raw(test_case.bytes, to);
    expected.emplace_back(test_case.method);
  }

  pair.clock.run_until_idle();

  EXPECT_EQ(pair.stateless_requests, expected);
  EXPECT_TRUE(pair.deliveries.empty());
  EXPECT_EQ(pair.uas.server_transactions(), 0u);
}

TEST(TransactionLayer, Rfc2543RetransmissionAbsorbed) {
  LayerPair pair(NetworkConditions{}, /*seed=*/1);
  std::string request = message_request(pair.peer.address(), pair.uas_endpoint.address(),
                                        call_id_of(0), "unused");
  request.erase(request.find(";branch=unused"), 14);
  ASSERT_EQ(request.find("branch"), std::string::npos);
  std::vector<int> responses_seen;
  pair.peer.set_receiver([&](ReceivedMessage response) {
    responses_seen.push_back(response.message.status_code());
  });

  pair.peer.send_raw(request, pair.uas_endpoint.address());
  pair.clock.start(milliseconds(500), [&] {
    pair.peer.send_raw(request, pair.uas_endpoint.address());
  });
  pair.clock.advance(milliseconds(1000));

  EXPECT_EQ(pair.deliveries[call_id_of(0)], 1);
  EXPECT_EQ(pair.uas.counters().absorbed_retransmissions, 1u);
  EXPECT_EQ(responses_seen, (std::vector<int>{200, 200}));
  EXPECT_EQ(pair.uas.server_transactions(), 1u);
}

TEST(TransactionLayer, ReliableTransportSkipsTimersEKJ) {
  for (const TransportProtocol protocol : {TransportProtocol::kTcp, TransportProtocol::kTls}) {
    SCOPED_TRACE(to_via_token(protocol));
    LayerPair pair(NetworkConditions{}, /*seed=*/1, TimerConfig{}, protocol);

    pair.send_message(0);
    pair.clock.advance(milliseconds(20));

    EXPECT_EQ(pair.outcomes[0].responses, (std::vector<TimedResponse>{{20, 200}}));
    EXPECT_EQ(pair.deliveries[call_id_of(0)], 1);
    // Timers K and J are zero: both transactions ended with the final response.
    EXPECT_EQ(pair.uac.client_transactions(), 0u);
    EXPECT_EQ(pair.uas.server_transactions(), 0u);
    EXPECT_EQ(pair.clock.pending(), 0u);
    EXPECT_EQ(pair.uac_endpoint.messages_sent(), 1u);
  }
}

TEST(TransactionLayer, ReliableTimeoutWithoutRetransmission) {
  LayerPair pair(NetworkConditions{}, /*seed=*/1, TimerConfig{}, TransportProtocol::kTcp);
  pair.uas_behaviour = [](ServerTransactionId, const ReceivedMessage&) {};

  pair.send_message(0);
  pair.clock.run_until_idle();

  EXPECT_EQ(pair.outcomes[0].failures,
            (std::vector<TimedFailure>{{32000, TransactionFailure::kTimeout}}));
  EXPECT_EQ(pair.uac_endpoint.messages_sent(), 1u);
}

// A UAS behaviour that keeps each request's id and 200 response for the
// test to send later.
struct HeldResponses {
  std::vector<std::pair<ServerTransactionId, std::string>> pending;

  LayerPair::UasBehaviour behaviour() {
    return [this](ServerTransactionId id, const ReceivedMessage& request) {
      pending.emplace_back(id, response_to(request.message, 200, "OK"));
    };
  }
};

// §17.1.4 and §18.4: a connection that dies under a request without a final
// response fails its transaction at once, whether or not a provisional
// response came, and Timer F never fires afterwards.
TEST(TransactionLayer, ConnectionCloseFailsPendingRequest) {
  for (const TransportProtocol protocol : {TransportProtocol::kTcp, TransportProtocol::kTls}) {
    for (const bool provisional : {false, true}) {
      SCOPED_TRACE(fmt::format("{}, {}", to_via_token(protocol),
                               provisional ? "after 100 Trying" : "in Trying"));
      LayerPair pair(NetworkConditions{}, /*seed=*/1, TimerConfig{}, protocol);
      HeldResponses uas;
      pair.uas_behaviour = [&](ServerTransactionId id, const ReceivedMessage& request) {
        if (provisional) {
          EXPECT_TRUE(pair.uas.respond(id, 100, response_to(request.message, 100, "Trying")));
        }
        uas.behaviour()(id, request);
      };

      pair.send_message(0);
      pair.clock.advance(milliseconds(30));
      ASSERT_EQ(uas.pending.size(), 1u);
      ASSERT_TRUE(pair.network.close_connection(pair.uac_endpoint.address(),
                                                pair.uas_endpoint.address(),
                                                make_error_code(TransportError::kConnectionClosed)));

      EXPECT_EQ(pair.outcomes[0].failures,
                (std::vector<TimedFailure>{{30, TransactionFailure::kTransportError}}));
      EXPECT_EQ(pair.uac.counters().transport_errors, 1u);
      EXPECT_EQ(pair.uac.client_transactions(), 0u);

      pair.clock.run_until_idle();
      EXPECT_EQ(pair.outcomes[0].failures.size(), 1u);
      EXPECT_EQ(pair.uac.counters().timeouts, 0u);
      EXPECT_EQ(pair.outcomes[0].responses.size(), provisional ? 1u : 0u);
      // The server transaction does not depend on the connection (§18.2.2).
      EXPECT_EQ(pair.uas.server_transactions(), 1u);
      EXPECT_TRUE(pair.server_failures.empty());
    }
  }
}

// Every close but this element's own eviction and idle timeout fails the
// request: the peer's close, a reset, a framing error, a stopped transport.
TEST(TransactionLayer, FailingCloseReasonsFailRequest) {
  const std::error_code reasons[] = {
      make_error_code(TransportError::kConnectionClosed),
      make_error_code(std::errc::connection_reset),
      make_error_code(TransportError::kFramingError),
      make_error_code(TransportError::kStopped),
  };
  for (const std::error_code& reason : reasons) {
    SCOPED_TRACE(reason.message());
    LayerPair pair(NetworkConditions{}, /*seed=*/1, TimerConfig{}, TransportProtocol::kTcp);
    HeldResponses uas;
    pair.uas_behaviour = uas.behaviour();

    pair.send_message(0);
    pair.clock.advance(milliseconds(20));
    ASSERT_TRUE(pair.network.close_connection(pair.uac_endpoint.address(),
                                              pair.uas_endpoint.address(), reason));

    EXPECT_EQ(pair.outcomes[0].failures,
              (std::vector<TimedFailure>{{20, TransactionFailure::kTransportError}}));
    EXPECT_EQ(pair.uac.client_transactions(), 0u);
  }
}

// The server transaction outlives its request's connection, and its final
// response goes out over a new one (§18.2.2). The client already failed, so
// the response is stray.
TEST(TransactionLayer, ConnectionCloseKeepsServerTransaction) {
  LayerPair pair(NetworkConditions{}, /*seed=*/1, TimerConfig{}, TransportProtocol::kTcp);
  HeldResponses uas;
  pair.uas_behaviour = uas.behaviour();

  pair.send_message(0);
  pair.clock.advance(milliseconds(20));
  ASSERT_EQ(uas.pending.size(), 1u);
  ASSERT_TRUE(pair.network.close_connection(pair.uac_endpoint.address(), pair.uas_endpoint.address(),
                                            make_error_code(std::errc::connection_reset)));
  EXPECT_TRUE(pair.uas.respond(uas.pending[0].first, 200, uas.pending[0].second));
  pair.clock.run_until_idle();

  EXPECT_EQ(pair.outcomes[0].failures,
            (std::vector<TimedFailure>{{20, TransactionFailure::kTransportError}}));
  EXPECT_TRUE(pair.outcomes[0].responses.empty());
  EXPECT_EQ(pair.uas_endpoint.messages_sent(), 1u);
  EXPECT_EQ(pair.uac.counters().stray_responses, 1u);
  EXPECT_EQ(pair.uas.server_transactions(), 0u);
  EXPECT_TRUE(pair.server_failures.empty());
}

TEST(TransactionLayer, ConnectionCloseAfterFinalResponseChangesNothing) {
  LayerPair pair(NetworkConditions{}, /*seed=*/1, TimerConfig{}, TransportProtocol::kTls);

  pair.send_message(0);
  pair.clock.advance(milliseconds(20));
  ASSERT_TRUE(pair.network.close_connection(pair.uac_endpoint.address(), pair.uas_endpoint.address(),
                                            make_error_code(TransportError::kConnectionClosed)));
  pair.clock.run_until_idle();

  EXPECT_EQ(pair.outcomes[0].responses, (std::vector<TimedResponse>{{20, 200}}));
  EXPECT_TRUE(pair.outcomes[0].failures.empty());
  EXPECT_EQ(pair.uac.counters().transport_errors, 0u);
}

// Closes that this element made itself on a working connection leave the
// request waiting: the UAS can still respond over a new connection.
TEST(TransactionLayer, OwnConnectionCloseKeepsWaiting) {
  for (const TransportError reason : {TransportError::kConnectionLimit, TransportError::kIdleTimeout}) {
    SCOPED_TRACE(make_error_code(reason).message());
    LayerPair pair(NetworkConditions{}, /*seed=*/1, TimerConfig{}, TransportProtocol::kTcp);
    HeldResponses uas;
    pair.uas_behaviour = uas.behaviour();

    pair.send_message(0);
    pair.clock.advance(milliseconds(20));
    ASSERT_EQ(uas.pending.size(), 1u);
    ASSERT_TRUE(pair.network.close_connection(pair.uac_endpoint.address(),
                                              pair.uas_endpoint.address(), make_error_code(reason)));
    EXPECT_TRUE(pair.outcomes[0].failures.empty());
    EXPECT_EQ(pair.uac.client_transactions(), 1u);

    EXPECT_TRUE(pair.uas.respond(uas.pending[0].first, 200, uas.pending[0].second));
    pair.clock.advance(milliseconds(10));

    EXPECT_EQ(pair.outcomes[0].responses, (std::vector<TimedResponse>{{30, 200}}));
    EXPECT_TRUE(pair.outcomes[0].failures.empty());
    EXPECT_EQ(pair.uac.counters().transport_errors, 0u);
  }
}

// Only the requests sent over the closed connection fail; one to another
// UAS over its own connection carries on.
TEST(TransactionLayer, ConnectionCloseFailsOnlyItsRequests) {
  LayerPair pair(NetworkConditions{}, /*seed=*/1, TimerConfig{}, TransportProtocol::kTcp);
  HeldResponses uas;
  pair.uas_behaviour = uas.behaviour();
  std::vector<std::string> peer_requests;
  pair.peer.set_receiver([&](ReceivedMessage request) {
    peer_requests.emplace_back(request.message.call_id());
  });

  pair.send_message(0);
  pair.send_message(1);
  pair.send_message_to(2, pair.peer.address());
  pair.clock.advance(milliseconds(20));
  ASSERT_EQ(uas.pending.size(), 2u);
  ASSERT_EQ(peer_requests, (std::vector<std::string>{call_id_of(2)}));
  ASSERT_TRUE(pair.network.close_connection(pair.peer.address(), pair.uac_endpoint.address(),
                                            make_error_code(TransportError::kConnectionClosed)));

  EXPECT_TRUE(pair.outcomes[0].failures.empty());
  EXPECT_TRUE(pair.outcomes[1].failures.empty());
  EXPECT_EQ(pair.outcomes[2].failures,
            (std::vector<TimedFailure>{{20, TransactionFailure::kTransportError}}));
  for (const auto& [id, response] : uas.pending) EXPECT_TRUE(pair.uas.respond(id, 200, response));
  pair.clock.advance(milliseconds(10));
  EXPECT_EQ(pair.outcomes[0].responses, (std::vector<TimedResponse>{{30, 200}}));
  EXPECT_EQ(pair.outcomes[1].responses, (std::vector<TimedResponse>{{30, 200}}));
  EXPECT_EQ(pair.uac.counters().transport_errors, 1u);
}

// A user that retries from the failure handler gets a new connection, which
// the close it is reacting to does not fail.
TEST(TransactionLayer, RetryAfterConnectionCloseUsesNewConnection) {
  LayerPair pair(NetworkConditions{}, /*seed=*/1, TimerConfig{}, TransportProtocol::kTcp);
  HeldResponses uas;
  pair.uas_behaviour = uas.behaviour();
  TransactionLayer::ClientRequest first;
  first.branch = "z9hG4bK-first";
  first.method = "MESSAGE";
  first.destination = pair.uas_endpoint.address();
  first.bytes = message_request(pair.uac_endpoint.address(), first.destination, call_id_of(0), first.branch);
  pair.uac.send_request(
      std::move(first), [](const ReceivedMessage&) { ADD_FAILURE() << "a response to the first request"; },
      [&](TransactionFailure failure) {
        EXPECT_EQ(failure, TransactionFailure::kTransportError);
        pair.send_message(1);
      });

  pair.clock.advance(milliseconds(20));
  ASSERT_TRUE(pair.network.close_connection(pair.uac_endpoint.address(), pair.uas_endpoint.address(),
                                            make_error_code(std::errc::connection_reset)));
  pair.clock.advance(milliseconds(10));
  ASSERT_EQ(uas.pending.size(), 2u);
  EXPECT_TRUE(pair.uas.respond(uas.pending[1].first, 200, uas.pending[1].second));
  pair.clock.advance(milliseconds(10));

  EXPECT_EQ(pair.outcomes[1].responses, (std::vector<TimedResponse>{{40, 200}}));
  EXPECT_TRUE(pair.outcomes[1].failures.empty());
  EXPECT_EQ(pair.uac.counters().transport_errors, 1u);
}

TEST(TransactionLayer, UdpIgnoresConnectionClose) {
  LayerPair pair(NetworkConditions{}, /*seed=*/1);
  HeldResponses uas;
  pair.uas_behaviour = uas.behaviour();

  pair.send_message(0);
  pair.clock.advance(milliseconds(20));
  EXPECT_FALSE(pair.network.close_connection(pair.uac_endpoint.address(), pair.uas_endpoint.address(),
                                             make_error_code(TransportError::kConnectionClosed)));
  pair.uac.connection_closed(0, make_error_code(TransportError::kConnectionClosed));

  EXPECT_TRUE(pair.outcomes[0].failures.empty());
  EXPECT_EQ(pair.uac.client_transactions(), 1u);
}

}  // namespace
}  // namespace sippay::sip
