#include "app/demo_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

#include <fmt/core.h>

namespace sippay::app::demo {
namespace {

constexpr const char* kSelf = "/proc/self/exe";

// Returns the last `count` lines of `file`.
std::string tail_of(const std::filesystem::path& file, std::size_t count) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  std::string text;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
    text += lines[i] + "\n";
  }
  return text;
}

// Resolved once in the parent: /proc/self/exe in the child after fork still names this binary,
// but the absolute path keeps the argv[0] of children readable in `ps`.
std::string self_path() {
  std::error_code error;
  const auto path = std::filesystem::read_symlink(kSelf, error);
  return error ? std::string(kSelf) : path.string();
}

[[noreturn]] void exec_self(const std::vector<std::string>& args) {
  const std::string binary = self_path();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  execv(kSelf, argv.data());
  const std::string message = fmt::format("sippay demo: exec {} failed: {}\n", kSelf, std::strerror(errno));
  (void)!write(STDERR_FILENO, message.data(), message.size());
  _exit(127);
}

int decode_status(int raw) {
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
  return -1;
}

int open_for_append(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot open {}: {}", file.string(), std::strerror(errno)));
  return fd;
}

}  // namespace

ToolResult run_tool(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(fmt::format("pipe failed: {}", std::strerror(errno)));
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(fmt::format("fork failed: {}", std::strerror(errno)));
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, STDIN_FILENO);
    exec_self(args);
  }
  close(fds[1]);
  ToolResult result;
  char chunk[4096];
  for (;;) {
    const ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n > 0) {
      result.output.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fds[0]);
  int raw = 0;
  while (waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
  }
  result.status = decode_status(raw);
  return result;
}

Daemon::Daemon(std::string name, std::filesystem::path out_file, std::filesystem::path err_file)
    : name_(std::move(name)), out_file_(std::move(out_file)), err_file_(std::move(err_file)) {}

Daemon::~Daemon() {
  if (pid_ > 0) stop(std::chrono::seconds(10));
}

void Daemon::start(const std::vector<std::string>& args) {
  const int out = open_for_append(out_file_);
  const int err = open_for_append(err_file_);
  const pid_t pid = fork();
  if (pid < 0) {
    close(out);
    close(err);
    throw std::runtime_error(fmt::format("fork failed: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, STDIN_FILENO);
    // Its own process group, so a Ctrl-C meant for `sippay demo --keep` later
    // does not reach a deployment left running on purpose.
    setpgid(0, 0);
    exec_self(args);
  }
  close(out);
  close(err);
  pid_ = pid;
}

std::optional<int> Daemon::wait_for_tls_port(std::chrono::milliseconds limit) {
  // Matches both `listening tls:127.0.0.1:5071` and the proxy's
  // {"event":"listening","address":"tls:127.0.0.1:5061"}.
  static const std::regex kListening(R"(listening.*tls:(?:\[[0-9a-fA-F:]+\]|[0-9.]+):([0-9]+))");
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(out_file_);
    std::string line;
    while (std::getline(in, line)) {
      std::smatch match;
      if (std::regex_search(line, match, kListening)) return std::stoi(match[1].str());
    }
    int raw = 0;
    if (pid_ > 0 && waitpid(pid_, &raw, WNOHANG) == pid_) {
      pid_ = -1;
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

std::optional<int> Daemon::stop(std::chrono::milliseconds limit) {
  if (pid_ <= 0) return std::nullopt;
  const pid_t pid = pid_;
  pid_ = -1;
  kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int raw = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &raw, WNOHANG);
    if (done == pid) return decode_status(raw);
    if (done < 0 && errno != EINTR) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  while (waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
  }
  return decode_status(raw);
}

int start_daemon(Daemon& daemon, const std::vector<std::string>& args, std::chrono::milliseconds limit) {
  daemon.start(args);
  const std::optional<int> port = daemon.wait_for_tls_port(limit);
  if (!port) {
    throw std::runtime_error(fmt::format("{} did not print its TLS listening address; the end of {}:\n{}",
                                         daemon.name(), daemon.err_file().string(),
                                         tail_of(daemon.err_file(), 20)));
  }
  return *port;
}

int pick_free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(fmt::format("socket failed: {}", std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string reason = std::strerror(errno);
    close(fd);
    throw std::runtime_error(fmt::format("cannot pick a free port on 127.0.0.1: {}", reason));
  }
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace sippay::app::demo
