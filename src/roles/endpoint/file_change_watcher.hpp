// Polls one file on the I/O thread and calls a callback when it changed:
// another inode (a file renamed over it, as `sippay pki revoke` does), size
// or modification time, or the file appeared or disappeared. Used for the
// CRL, so a running daemon picks up a new one without a restart.
#pragma once

#include <sys/types.h>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>

namespace sippay::roles {

class FileChangeWatcher {
 public:
  // `interval` is the time between two polls; `on_change` runs on the I/O
  // thread of `io`.
  FileChangeWatcher(asio::io_context& io, std::filesystem::path path, std::chrono::milliseconds interval,
                    std::function<void()> on_change);

  // Records the file's current state and polls every interval from now on.
  void start();
  void stop();

  // Compares the file's state with the one recorded and records the new
  // one. Returns true when they differ. start() and the timer call it; it
  // is public so tests can poll without waiting.
  bool check();

 private:
  struct FileState {
    bool exists = false;
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    timespec modified{};
  };
  static FileState read_state(const std::filesystem::path& path);
  static bool same(const FileState& a, const FileState& b);
  void schedule();

  std::filesystem::path path_;
  std::chrono::milliseconds interval_;
  std::function<void()> on_change_;
  asio::steady_timer timer_;
  FileState recorded_;
  bool running_ = false;
};

}  // namespace sippay::roles
