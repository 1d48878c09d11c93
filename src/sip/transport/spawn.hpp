// Starts a coroutine whose exceptions, if any, are logged instead of lost.
// Internal to the transport layer; include in .cpp files only.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <exception>
#include <spdlog/spdlog.h>

namespace sippay::sip::transport_detail {

// `task_name` must be a string literal: the completion handler keeps it.
template <typename Executor>
void spawn_logged(const Executor& executor, asio::awaitable<void> task, const char* task_name) {
  asio::co_spawn(executor, std::move(task), [task_name](std::exception_ptr error) {
    if (!error) {
      return;
    }
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& exception) {
      spdlog::error("SIP transport: {} ended with an exception: {}", task_name, exception.what());
    }
  });
}

}  // namespace sippay::sip::transport_detail
