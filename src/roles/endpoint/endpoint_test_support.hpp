// A throwaway deployment for the roles' tests: an operator PKI made with the
// security library at test time, a real `sippay proxy` process over TLS on
// 127.0.0.1, and EndpointConfig values for the parties. Header-only; the
// tests pass the path of the sippay binary.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "roles/endpoint/endpoint_config.hpp"
#include "security/pki_operations.hpp"
#include "sip/auth/credential_store.hpp"
#include "sip/auth/digest.hpp"
#include "sip/transport/testing/transport_test_support.hpp"

namespace sippay::roles::testing {

using namespace std::chrono_literals;

using sip::testing::run_until;

// A TCP port free on 127.0.0.1 a moment ago, for a listener whose address
// another process must know before it starts.
inline std::uint16_t free_tcp_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

// A child process with its standard output on a pipe; SIGTERM and reaped on
// destruction.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& stderr_file) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      const int null = open("/dev/null", O_RDONLY);
      if (null >= 0) dup2(null, STDIN_FILENO);
      const int err = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (err >= 0) dup2(err, STDERR_FILENO);
      close(fds[0]);
      std::vector<char*> args;
      for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (out_ >= 0) close(out_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Calls `poll` until the process exits or `limit` passes; returns its
  // exit status, or -1 when it is still running or died from a signal.
  int wait_exit(const std::function<void()>& poll_once, std::chrono::milliseconds limit = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      poll_once();
    }
    return -1;
  }

  // Everything the process wrote to standard output until it closed it.
  std::string read_all() {
    std::string text = buffer_;
    buffer_.clear();
    char chunk[4096];
    ssize_t n = 0;
    while ((n = read(out_, chunk, sizeof chunk)) > 0) text.append(chunk, static_cast<std::size_t>(n));
    return text;
  }

  // The next line of standard output, or "" when none comes within `limit`.
  std::string read_line(std::chrono::milliseconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      if (auto end = buffer_.find('\n'); end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return {};
      pollfd fd{out_, POLLIN, 0};
      if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) return {};
      char chunk[512];
      const ssize_t n = read(out_, chunk, sizeof chunk);
      if (n <= 0) return {};
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

struct Party {
  std::string uri;
  std::filesystem::path certificate, key;
};

// The PKI, the peer certificate folder and the proxy's credential file.
class Deployment {
 public:
  static constexpr const char* kDomain = "pay.test";

  Deployment() {
    char pattern[] = "/tmp/sippay-roles-XXXXXX";
    if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
    pki_ = root_ / "pki";
    auto ca = security::pki_init(pki_, {});
    if (!ca) throw std::runtime_error("pki init: " + ca.error().detail);
    std::filesystem::create_directories(peers_folder());
    proxy_ = issue("proxy", "sip:pay.test", security::PkiRole::proxy);
  }
  ~Deployment() {
    std::error_code ignored;
    if (std::getenv("SIPPAY_KEEP_TEST_FILES") == nullptr) std::filesystem::remove_all(root_, ignored);
  }
  Deployment(const Deployment&) = delete;
  Deployment& operator=(const Deployment&) = delete;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path peers_folder() const { return root_ / "peers"; }
  std::filesystem::path ca() const { return pki_ / "ca.pem"; }
  std::filesystem::path crl() const { return pki_ / "crl.pem"; }
  const std::filesystem::path& pki() const { return pki_; }

  // Issues a certificate for `uri` (IP SAN 127.0.0.1) and copies it into the
  // peer folder under `name`.pem unless `publish` is false.
  Party issue(const std::string& name, const std::string& uri, security::PkiRole role, bool publish = true) {
    security::PkiIssueOptions options;
    options.uri = uri;
    options.role = role;
    options.dns_names = {"localhost"};
    options.ip_addresses = {"127.0.0.1"};
    auto issued = security::pki_issue(pki_, options);
    if (!issued) throw std::runtime_error("pki issue: " + issued.error().detail);
    if (publish) {
      std::filesystem::copy_file(issued.value().certificate_file, peers_folder() / (name + ".pem"),
                                 std::filesystem::copy_options::overwrite_existing);
    }
    return {uri, issued.value().certificate_file, issued.value().key_file};
  }

  // Adds a proxy user with `password` (Digest, SHA-256 and MD5).
  void add_user(const std::string& username, const std::string& password) {
    users_[username] = password;
  }

  // Starts `sippay proxy` with a static route from `gateway_uri` to
  // `gateway_address` (mutual TLS). Returns its TLS address (tls:127.0.0.1:PORT).
  const std::string& proxy_address() const { return proxy_address_; }

  std::string start_proxy(const std::string& sippay_binary, const std::string& gateway_uri = {},
                          const std::string& gateway_address = {}) {
    {
      std::ofstream users(root_ / "users.ha1");
      for (const auto& [user, password] : users_) {
        users << sip::make_credential_line(user, kDomain, sip::DigestAlgorithm::kSha256, password) << "\n";
        users << sip::make_credential_line(user, kDomain, sip::DigestAlgorithm::kMd5, password) << "\n";
      }
    }
    std::ofstream toml(root_ / "proxy.toml");
    toml << "[proxy]\ndomains = [\"pay.test\"]\nlisten = [\"tls:127.0.0.1:0\"]\n\n"
         << "[tls]\ncertificate = \"" << proxy_.certificate.string() << "\"\nprivate_key = \""
         << proxy_.key.string() << "\"\nca = \"" << ca().string() << "\"\n\n"
         << "[auth]\nrealm = \"pay.test\"\ncredentials = \"users.ha1\"\n\n"
         << "[limits]\nrate = 10000\nburst = 10000\n";
    if (!gateway_uri.empty()) {
      toml << "\n[[route]]\nuri = \"" << gateway_uri << "\"\ntarget = \"sips:" << gateway_address.substr(4)
           << "\"\nmutual_tls = true\n";
    }
    toml.close();
    proxy_process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{sippay_binary, "proxy", "--config", (root_ / "proxy.toml").string()},
        root_ / "proxy.log");
    const std::string line = proxy_process_->read_line();
    const std::string marker = "\"address\":\"";
    const auto at = line.find(marker);
    if (at == std::string::npos) throw std::runtime_error("sippay proxy did not start: '" + line + "'");
    const auto end = line.find('"', at + marker.size());
    proxy_address_ = line.substr(at + marker.size(), end - at - marker.size());
    return proxy_address_;
  }
  void stop_proxy() { proxy_process_.reset(); }

  // An EndpointConfig for `party`, through the proxy once started, with Digest
  // credentials when `password` is not empty.
  EndpointConfig endpoint_config(const Party& party, const std::string& password = {}) const {
    EndpointConfig config;
    config.uri = party.uri;
    config.certificate = party.certificate;
    config.private_key = party.key;
    config.ca = ca();
    config.crl = crl();
    config.peer_certificates = peers_folder();
    config.listen = "tls:127.0.0.1:0";
    // Before the proxy starts: an address that nothing answers on.
    config.proxy = proxy_address_.empty() ? "sips:127.0.0.1:9" : "sips:" + proxy_address_.substr(4);
    if (!password.empty()) {
      const std::string user(party.uri.substr(4, party.uri.find('@') - 4));
      config.username = user;
      config.password = password;
    }
    config.t1 = 100ms;
    return config;
  }

 private:
  std::filesystem::path root_;
  std::filesystem::path pki_;
  Party proxy_;
  std::map<std::string, std::string> users_;
  std::unique_ptr<ChildProcess> proxy_process_;
  std::string proxy_address_;
};

}  // namespace sippay::roles::testing
