// The relaying half of ProxyServer (RFC 3261 §16.6, §16.7): the copies
// sent to each target, and the choice of the response sent back.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "proxy/message_relay.hpp"
#include "proxy/proxy_server.hpp"
#include "sip/ua/identifiers.hpp"
#include "sip/ua/response_builder.hpp"

namespace sippay::proxy {
namespace {

constexpr std::size_t kMaxViaPrefixes = 4096;

// Ranks final responses for §16.7 step 6: any 6xx first, else the lowest
// class. Lower is better.
int response_rank(int status) { return status >= 600 ? 0 : status / 100; }

}  // namespace

std::string ProxyServer::via_for(const sip::Target& next_hop, std::string_view branch) {
  const auto key = std::make_pair(next_hop.address.protocol, next_hop.address.address);
  auto it = via_prefixes_.find(key);
  if (it == via_prefixes_.end()) {
    if (via_prefixes_.size() >= kMaxViaPrefixes) via_prefixes_.clear();
    it = via_prefixes_.emplace(key, make_via_prefix(next_hop)).first;
  }
  std::string via;
  via.reserve(it->second.size() + branch.size());
  via.append(it->second);
  via.append(branch);
  return via;
}

std::string ProxyServer::make_via_prefix(const sip::Target& next_hop) {
  const sip::TransportProtocol protocol = next_hop.address.protocol;
  std::optional<sip::TransportAddress> local = transport_->local_address_for(protocol, next_hop.address.address);
  // Without a listener of that protocol (a TLS route without a TLS
  // listener), the Via names a listener of the same family. The response
  // comes back on the connection anyway.
  if (!local) {
    for (const sip::TransportAddress& address : local_addresses_) {
      if (address.address.is_v6() == next_hop.address.address.is_v6()) {
        local = address;
        break;
      }
    }
  }
  if (!local) local = local_addresses_.front();
  // fmt::format rather than "[" + ... + "]": g++ 12 at -O3 reports a false
  // -Werror=restrict on that std::string operator+, which breaks `make bench`.
  const std::string host =
      local->address.is_v6() ? fmt::format("[{}]", local->address.to_string()) : local->address.to_string();
  const auto sent_by = std::make_pair(host, local->port);
  if (std::find(own_sent_by_.begin(), own_sent_by_.end(), sent_by) == own_sent_by_.end()) {
    own_sent_by_.push_back(sent_by);
  }
  return fmt::format("SIP/2.0/{} {}:{};branch=", sip::to_via_token(protocol), host, local->port);
}

void ProxyServer::start_relay(ServerId id, const sip::ReceivedMessage& request, std::vector<RouteTarget> targets,
                              std::size_t routes_removed, std::optional<std::size_t> consumed) {
  const std::uint64_t relay_id = next_relay_id_++;
  auto owned = std::make_unique<Relay>();
  Relay& relay = *owned;
  relay.id = relay_id;
  relay.server = id;
  relay.request = request.message;
  relays_.emplace(relay_id, std::move(owned));

  const std::uint64_t loop_hash = loop_detection_hash(request.message);
  for (RouteTarget& target : targets) {
    const std::string branch = make_branch(instance_, next_branch_++, loop_hash);
    ForwardSpec spec;
    spec.request_uri = target.request_uri;
    const std::string via = via_for(target.next_hop, branch);
    spec.via = via;
    spec.routes_to_remove = routes_removed;
    spec.consumed_proxy_authorization = consumed;

    sip::TransactionLayer::ClientRequest client;
    client.bytes = build_forwarded_request(request.message, spec);
    client.destination = target.next_hop.address;
    client.tls_server_name = std::move(target.next_hop.tls_server_name);
    client.branch = branch;
    client.method = std::string(request.message.method());
    ++relay.pending;
    counters_.add(Counter::kForwarded);
    transactions_->send_request(
        std::move(client),
        [this, relay_id](const sip::ReceivedMessage& response) { relay_response(relay_id, response); },
        [this, relay_id](sip::TransactionFailure failure) { relay_failure(relay_id, failure); });
  }
  relay.starting = false;
  finish_relay_if_done(relay_id);
}

void ProxyServer::relay_response(std::uint64_t relay_id, const sip::ReceivedMessage& response) {
  const auto it = relays_.find(relay_id);
  if (it == relays_.end()) return;
  Relay& relay = *it->second;
  const int status = response.message.status_code();
  // A response with only this proxy's Via cannot be relayed, so the proxy
  // builds one with its status instead.
  std::string bytes;
  if (response.message.vias().size() > 1) bytes = build_relayed_response(response.message);

  if (status < 200) {
    if (status != 100 && !relay.final_sent && !bytes.empty()) {
      counters_.add(Counter::kResponsesForwarded);
      transactions_->respond(relay.server, status, std::move(bytes));
    }
    return;
  }
  --relay.pending;
  consider_final(relay, status, std::move(bytes));
  finish_relay_if_done(relay_id);
}

void ProxyServer::relay_failure(std::uint64_t relay_id, sip::TransactionFailure failure) {
  const auto it = relays_.find(relay_id);
  if (it == relays_.end()) return;
  Relay& relay = *it->second;
  --relay.pending;
  const bool timeout = failure == sip::TransactionFailure::kTimeout;
  counters_.add(timeout ? Counter::kTimeout : Counter::kTransportError);
  spdlog::info("proxy: a branch of {} (Call-ID {}) failed: {}", relay.request.method(), relay.request.call_id(),
               sip::to_string(failure));
  // §16.7 step 6 and §16.9: a timeout counts as 408, a transport error as 503.
  consider_final(relay, timeout ? 408 : 503, {});
  finish_relay_if_done(relay_id);
}

void ProxyServer::consider_final(Relay& relay, int status, std::string response) {
  if (relay.final_sent) return;
  if (status < 300) {
    relay.final_sent = true;
    if (response.empty()) {
      sip::ResponseExtras extras;
      extras.to_tag = sip::new_tag();
      response = sip::build_response(relay.request, status, sip::default_reason_phrase(status), extras);
    }
    counters_.add(Counter::kResponsesForwarded);
    transactions_->respond(relay.server, status, std::move(response));
    return;
  }
  if (relay.best_status == 0 || response_rank(status) < response_rank(relay.best_status)) {
    relay.best_status = status;
    relay.best_response = std::move(response);
  }
}

void ProxyServer::finish_relay_if_done(std::uint64_t relay_id) {
  const auto it = relays_.find(relay_id);
  if (it == relays_.end()) return;
  Relay& relay = *it->second;
  if (relay.starting || relay.pending > 0) return;
  if (!relay.final_sent) {
    int status = relay.best_status;
    std::string response = std::move(relay.best_response);
    // §16.7 step 6: a 503 is not forwarded, since the client would take it
    // to mean that this proxy is unavailable.
    if (status == 503) {
      status = 500;
      response.clear();
    }
    if (response.empty()) {
      sip::ResponseExtras extras;
      extras.to_tag = sip::new_tag();
      const std::string_view phrase = status == 500 ? "Next Hop Unavailable" : sip::default_reason_phrase(status);
      response = sip::build_response(relay.request, status, phrase, extras);
    } else {
      counters_.add(Counter::kResponsesForwarded);
    }
    transactions_->respond(relay.server, status, std::move(response));
  }
  relays_.erase(it);
}

}  // namespace sippay::proxy
