// SIGHUP handling shared by the daemons that reload their CRL on it.
#pragma once

#include <asio/signal_set.hpp>
#include <spdlog/spdlog.h>
#include <system_error>

namespace sippay::app {

// Calls `daemon.reload_crl()` on every signal of `signals` (SIGHUP) until
// the signal set is cancelled.
template <class Daemon>
void reload_crl_on_signal(asio::signal_set& signals, Daemon& daemon) {
  signals.async_wait([&signals, &daemon](std::error_code error, int) {
    if (error) return;
    spdlog::info("SIGHUP: reloading the CRL");
    daemon.reload_crl();
    reload_crl_on_signal(signals, daemon);
  });
}

}  // namespace sippay::app
