// TransportLayer: the public face of TransportCore.
#include "sip/transport/transport.hpp"
#include "sip/transport/transport_core.hpp"

namespace sippay::sip {

class TransportLayer::Impl {
 public:
  std::shared_ptr<transport_detail::TransportCore> core;
};

TransportLayer::TransportLayer(asio::io_context& io, TransportSettings settings,
                               ReceiveHandler on_receive)
    : impl_(std::make_unique<Impl>()) {
  impl_->core = std::make_shared<transport_detail::TransportCore>(io, std::move(settings),
                                                                  std::move(on_receive));
}

// Dropping the core closes every socket; coroutines still running find
// their owner gone and end without calling handlers.
TransportLayer::~TransportLayer() = default;

bool TransportLayer::peer_certificate_matches(std::uint64_t connection_id, std::string_view host) const {
  return impl_->core->peer_certificate_matches(connection_id, host);
}

TlsCrlReloadResult TransportLayer::reload_tls_crl(const std::string& crl_file) {
  return impl_->core->reload_tls_crl(crl_file);
}

std::error_code TransportLayer::start() { return impl_->core->start(); }

void TransportLayer::stop() { impl_->core->stop(); }

std::vector<TransportAddress> TransportLayer::local_addresses() const {
  return impl_->core->local_addresses();
}

std::optional<TransportAddress> TransportLayer::local_address_for(
    TransportProtocol protocol, const asio::ip::address& destination) const {
  return impl_->core->local_address_for(protocol, destination);
}

TransportProtocol TransportLayer::protocol_for_request(TransportProtocol wanted,
                                                       std::size_t size_bytes) const {
  return impl_->core->protocol_for_request(wanted, size_bytes);
}

std::uint64_t TransportLayer::send_request(std::string bytes, const TransportAddress& destination,
                                           std::string tls_server_name, SendHandler done) {
  return impl_->core->send_request(std::move(bytes), destination, std::move(tls_server_name),
                            std::move(done));
}

void TransportLayer::send_response(std::string bytes, const ReceivedMessage& request,
                                   SendHandler done) {
  impl_->core->send_response(std::move(bytes), request, std::move(done));
}

void TransportLayer::on_parse_error(ParseErrorHandler handler) {
  impl_->core->set_parse_error_handler(std::move(handler));
}

void TransportLayer::on_connection_closed(ConnectionClosedHandler handler) {
  impl_->core->set_connection_closed_handler(std::move(handler));
}

void TransportLayer::send_to_source(std::string bytes, const UnparsableMessage& message,
                                    SendHandler done) {
  impl_->core->send_to_source(std::move(bytes), message, std::move(done));
}

std::size_t TransportLayer::open_connections() const { return impl_->core->open_connections(); }

TransportStats TransportLayer::stats() const { return impl_->core->stats_snapshot(); }

}  // namespace sippay::sip
