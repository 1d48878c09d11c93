// A UDP relay that drops and duplicates datagrams, for testing SIP
// retransmission over UDP on loopback.
//
// Each client that sends to the listening address gets its own upstream
// socket toward the target, so replies from the target (sent to the source
// address and port of the request, as RFC 3581 rport specifies) reach the right
// client. Every datagram, in either direction, is dropped with probability
// --drop-rate and otherwise forwarded, and a forwarded datagram is sent twice
// with probability --duplicate-rate.
//
// Loss is bounded: a datagram whose bytes equal those of an earlier datagram
// in the same direction (a SIP retransmission is byte for byte the same) is
// dropped at most --max-drops-per-datagram times. With the default of 2, a
// non-INVITE transaction completes by its fifth request, at 15*T1, well
// before Timer F (64*T1) fires, so a test can demand that every request
// succeeds. Independent loss would make Timer F fire now and then: with
// T1 = 50 ms and T2 = 4 s, RFC 3261 sends only 7 requests within 64*T1.
//
// It relays IPv4 only. With --port-file it writes the listening port to
// FILE once bound, for callers that pass port 0. On SIGTERM or SIGINT it
// prints its counters as one JSON line on stdout and exits 0.
//
// Usage: lossy_udp_relay --listen 127.0.0.1:0 --target 127.0.0.1:5060
//            [--drop-rate 0.3] [--duplicate-rate 0.1]
//            [--max-drops-per-datagram 2] [--seed 1] [--port-file FILE]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void request_stop(int) { stop_requested = 1; }

struct Options {
  sockaddr_in listen{};
  sockaddr_in target{};
  double drop_rate = 0.3;
  double duplicate_rate = 0.1;
  int max_drops_per_datagram = 2;
  std::uint64_t seed = 1;
  std::string port_file;
};

// Counters for one direction.
struct DirectionStats {
  std::uint64_t received = 0;
  std::uint64_t dropped = 0;
  std::uint64_t forwarded = 0;
  std::uint64_t duplicated = 0;  // extra copies sent
  std::uint64_t send_errors = 0;
};

// Drop and duplicate decisions for one direction, with the drop count of
// each distinct datagram seen so far.
class LossModel {
 public:
  LossModel(const Options& options, std::uint64_t seed)
      : options_(options), random_(seed), uniform_(0.0, 1.0) {}

  bool drop(std::string_view datagram) {
    if (uniform_(random_) >= options_.drop_rate) return false;
    int& drops = drops_by_hash_[std::hash<std::string_view>{}(datagram)];
    if (drops >= options_.max_drops_per_datagram) return false;
    ++drops;
    return true;
  }

  bool duplicate() { return uniform_(random_) < options_.duplicate_rate; }

 private:
  const Options& options_;
  std::mt19937_64 random_;
  std::uniform_real_distribution<double> uniform_;
  std::unordered_map<std::size_t, int> drops_by_hash_;
};

std::optional<sockaddr_in> parse_ipv4_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  if (inet_pton(AF_INET, text.substr(0, colon).c_str(), &address.sin_addr) != 1) {
    return std::nullopt;
  }
  char* end = nullptr;
  const long port = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (end == text.c_str() + colon + 1 || *end != '\0' || port < 0 || port > 65535) {
    return std::nullopt;
  }
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  return address;
}

std::string to_string(const sockaddr_in& address) {
  std::array<char, INET_ADDRSTRLEN> host{};
  inet_ntop(AF_INET, &address.sin_addr, host.data(), host.size());
  return std::string(host.data()) + ":" + std::to_string(ntohs(address.sin_port));
}

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr,
               "lossy_udp_relay: %s\n"
               "usage: lossy_udp_relay --listen IPV4:PORT --target IPV4:PORT [--drop-rate R] "
               "[--duplicate-rate R] [--max-drops-per-datagram N] [--seed N] [--port-file FILE]\n",
               message.c_str());
  std::exit(2);
}

double parse_rate(const std::string& name, const std::string& text) {
  char* end = nullptr;
  const double rate = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || rate < 0.0 || rate > 1.0) {
    usage_error("invalid " + name + " " + text + ": expected a number from 0 to 1");
  }
  return rate;
}

Options parse_options(int argc, char** argv) {
  Options options;
  bool has_listen = false;
  bool has_target = false;
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    if (i + 1 >= argc) usage_error("missing value after " + name);
    const std::string value = argv[++i];
    if (name == "--listen" || name == "--target") {
      const auto address = parse_ipv4_endpoint(value);
      if (!address) usage_error("invalid " + name + " " + value + ": expected IPV4:PORT");
      (name == "--listen" ? options.listen : options.target) = *address;
      (name == "--listen" ? has_listen : has_target) = true;
    } else if (name == "--drop-rate") {
      options.drop_rate = parse_rate(name, value);
    } else if (name == "--duplicate-rate") {
      options.duplicate_rate = parse_rate(name, value);
    } else if (name == "--max-drops-per-datagram") {
      char* end = nullptr;
      const long count = std::strtol(value.c_str(), &end, 10);
      if (end == value.c_str() || *end != '\0' || count < 0 || count > 1000) {
        usage_error("invalid " + name + " " + value + ": expected a count from 0 to 1000");
      }
      options.max_drops_per_datagram = static_cast<int>(count);
    } else if (name == "--seed") {
      options.seed = std::strtoull(value.c_str(), nullptr, 10);
    } else if (name == "--port-file") {
      options.port_file = value;
    } else {
      usage_error("unknown option " + name);
    }
  }
  if (!has_listen || !has_target) usage_error("--listen and --target are required");
  return options;
}

int open_udp_socket(const sockaddr_in& bind_address) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    std::perror("lossy_udp_relay: socket");
    std::exit(1);
  }
  if (bind(fd, reinterpret_cast<const sockaddr*>(&bind_address), sizeof bind_address) != 0) {
    std::fprintf(stderr, "lossy_udp_relay: cannot bind %s: %s\n", to_string(bind_address).c_str(),
                 std::strerror(errno));
    std::exit(1);
  }
  return fd;
}

std::uint16_t bound_port(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

// Key for the client map: address and port in network byte order.
std::uint64_t endpoint_key(const sockaddr_in& address) {
  return (static_cast<std::uint64_t>(address.sin_addr.s_addr) << 16) | address.sin_port;
}

class Relay {
 public:
  explicit Relay(const Options& options)
      : options_(options),
        to_target_loss_(options, options.seed),
        to_client_loss_(options, options.seed + 1) {
    listen_fd_ = open_udp_socket(options.listen);
  }

  std::uint16_t port() const { return bound_port(listen_fd_); }

  void run() {
    std::vector<char> buffer(65536);
    while (!stop_requested) {
      std::vector<pollfd> fds = {{listen_fd_, POLLIN, 0}};
      for (const auto& [key, client] : clients_) fds.push_back({client.upstream_fd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), 100) < 0) {
        if (errno == EINTR) continue;
        std::perror("lossy_udp_relay: poll");
        std::exit(1);
      }
      for (const pollfd& entry : fds) {
        if ((entry.revents & POLLIN) == 0) continue;
        if (entry.fd == listen_fd_) {
          relay_from_client(buffer);
        } else {
          relay_from_target(entry.fd, buffer);
        }
      }
    }
  }

  void print_stats() const {
    const std::string line = "{\"to_target\":" + to_json(to_target_) +
                             ",\"to_client\":" + to_json(to_client_) +
                             ",\"clients\":" + std::to_string(clients_.size()) + "}\n";
    std::fputs(line.c_str(), stdout);
    std::fflush(stdout);
  }

 private:
  struct Client {
    sockaddr_in address{};
    int upstream_fd = -1;
  };

  static std::string to_json(const DirectionStats& stats) {
    return "{\"received\":" + std::to_string(stats.received) +
           ",\"dropped\":" + std::to_string(stats.dropped) +
           ",\"forwarded\":" + std::to_string(stats.forwarded) +
           ",\"duplicated\":" + std::to_string(stats.duplicated) +
           ",\"send_errors\":" + std::to_string(stats.send_errors) + "}";
  }

  void relay_from_client(std::vector<char>& buffer) {
    sockaddr_in source{};
    socklen_t length = sizeof source;
    const ssize_t size = recvfrom(listen_fd_, buffer.data(), buffer.size(), 0,
                                  reinterpret_cast<sockaddr*>(&source), &length);
    if (size < 0) return;
    auto [entry, inserted] = clients_.try_emplace(endpoint_key(source));
    if (inserted) {
      sockaddr_in any{};
      any.sin_family = AF_INET;
      any.sin_addr = options_.listen.sin_addr;
      entry->second.address = source;
      entry->second.upstream_fd = open_udp_socket(any);
      upstream_to_client_[entry->second.upstream_fd] = entry->first;
    }
    forward(entry->second.upstream_fd, options_.target,
            std::string_view(buffer.data(), static_cast<std::size_t>(size)), to_target_loss_,
            to_target_);
  }

  void relay_from_target(int upstream_fd, std::vector<char>& buffer) {
    const ssize_t size = recv(upstream_fd, buffer.data(), buffer.size(), 0);
    if (size < 0) return;
    const Client& client = clients_.at(upstream_to_client_.at(upstream_fd));
    forward(listen_fd_, client.address,
            std::string_view(buffer.data(), static_cast<std::size_t>(size)), to_client_loss_,
            to_client_);
  }

  static void forward(int fd, const sockaddr_in& destination, std::string_view datagram,
                      LossModel& loss, DirectionStats& stats) {
    ++stats.received;
    if (loss.drop(datagram)) {
      ++stats.dropped;
      return;
    }
    const int copies = loss.duplicate() ? 2 : 1;
    for (int copy = 0; copy < copies; ++copy) {
      const ssize_t sent =
          sendto(fd, datagram.data(), datagram.size(), 0,
                 reinterpret_cast<const sockaddr*>(&destination), sizeof destination);
      if (sent < 0) {
        ++stats.send_errors;
      } else if (copy == 0) {
        ++stats.forwarded;
      } else {
        ++stats.duplicated;
      }
    }
  }

  const Options& options_;
  int listen_fd_ = -1;
  std::map<std::uint64_t, Client> clients_;
  std::unordered_map<int, std::uint64_t> upstream_to_client_;
  LossModel to_target_loss_;
  LossModel to_client_loss_;
  DirectionStats to_target_;
  DirectionStats to_client_;
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);

  struct sigaction action {};
  action.sa_handler = request_stop;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);

  Relay relay(options);
  if (!options.port_file.empty()) {
    // Written to a temporary name and renamed, so a reader never sees a partial file.
    const std::string temporary = options.port_file + ".tmp";
    std::ofstream(temporary) << relay.port() << "\n";
    std::rename(temporary.c_str(), options.port_file.c_str());
  }
  sockaddr_in bound = options.listen;
  bound.sin_port = htons(relay.port());
  std::fprintf(stderr, "lossy_udp_relay: listening on %s, relaying to %s\n",
               to_string(bound).c_str(), to_string(options.target).c_str());

  relay.run();
  relay.print_stats();
  return 0;
}
