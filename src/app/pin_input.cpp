#include "app/pin_input.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <stdexcept>

namespace sippay::app {
namespace {

std::string strip_line_end(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Restores the terminal's echo when it goes out of scope.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

}  // namespace

std::string read_pin_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    throw std::runtime_error("cannot read a PIN from " + path.string() +
                             ": give a readable file whose first line is the PIN");
  }
  return strip_line_end(std::move(line));
}

std::string read_pin_without_echo(const std::string& prompt) {
  const int tty = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty < 0) {
    std::string line;
    if (!std::getline(std::cin, line)) {
      throw std::runtime_error("no PIN on standard input and no terminal: use --pin-file");
    }
    return strip_line_end(std::move(line));
  }
  std::string pin;
  {
    EchoOff quiet(tty);
    if (::write(tty, prompt.data(), prompt.size()) < 0) {
      ::close(tty);
      throw std::runtime_error("cannot write the PIN prompt to the terminal");
    }
    char c = 0;
    while (::read(tty, &c, 1) == 1 && c != '\n') pin.push_back(c);
    if (::write(tty, "\n", 1) < 0) {
      // The PIN was read; a missing line break on the terminal is harmless.
    }
  }
  ::close(tty);
  return strip_line_end(std::move(pin));
}

}  // namespace sippay::app
