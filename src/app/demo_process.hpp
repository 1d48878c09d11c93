// Child processes of `sippay demo`: each one runs this same binary
// (/proc/self/exe) with another subcommand.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sippay::app::demo {

struct ToolResult {
  int status = -1;     // exit status, or 128 + signal number
  std::string output;  // standard output and standard error, interleaved
};

// Runs `sippay ARGS...` to completion and collects its output.
ToolResult run_tool(const std::vector<std::string>& args);

// A daemon started in the background, its standard output and standard error in two files.
class Daemon {
 public:
  Daemon(std::string name, std::filesystem::path out_file, std::filesystem::path err_file);
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  ~Daemon();  // stops the daemon unless release() was called

  // Starts `sippay ARGS...`; throws std::runtime_error when fork fails.
  void start(const std::vector<std::string>& args);

  // Waits until standard output has a line with "listening" and a TLS address, and
  // returns that address's port. Returns nothing when the daemon exits or `limit` passes.
  std::optional<int> wait_for_tls_port(std::chrono::milliseconds limit);

  // Sends SIGTERM, waits up to `limit`, then SIGKILL. Returns the exit status
  // (128 + signal number when a signal ended it), or nothing when it was not running.
  std::optional<int> stop(std::chrono::milliseconds limit);

  // Leaves the daemon running when this object is destroyed (`--keep`).
  void release() { pid_ = -1; }

  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }
  const std::filesystem::path& out_file() const { return out_file_; }
  const std::filesystem::path& err_file() const { return err_file_; }

 private:
  std::string name_;
  std::filesystem::path out_file_, err_file_;
  pid_t pid_ = -1;
};

// Starts `sippay ARGS...` in `daemon` and returns the port of its TLS listening line.
// Throws std::runtime_error with the end of its log when no such line comes within `limit`.
int start_daemon(Daemon& daemon, const std::vector<std::string>& args, std::chrono::milliseconds limit);

// Returns a TCP port on 127.0.0.1 that was free a moment ago. Another process may
// take it before the caller binds it, so use it at once.
int pick_free_port();

}  // namespace sippay::app::demo
