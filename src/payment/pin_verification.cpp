#include "payment/pin_verification.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "payment/encoding.hpp"

namespace sippay::payment {
namespace {

constexpr std::string_view kPvvLabel = "sippay-pvv-v1";

void append_u32be(std::string& out, std::size_t value) {
  const auto v = static_cast<std::uint32_t>(value);
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and returns whether close succeeded.
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

std::string errno_text(int error) { return std::strerror(error); }

}  // namespace

PinKey::~PinKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

PinKey generate_pin_key() {
  std::array<unsigned char, kPinKeyBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no randomness for the PIN key");
  }
  PinKey key(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return key;
}

PinKey create_pin_key_file(const std::filesystem::path& path) {
  const PinKey key = generate_pin_key();
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                           S_IRUSR | S_IWUSR));
  if (fd.get() < 0) {
    const int error = errno;
    throw std::runtime_error(fmt::format("cannot create the PIN key file {}: {}{}", path.string(),
                                         errno_text(error),
                                         error == EEXIST ? " (it is never overwritten; remove it "
                                                           "first only if no PIN uses it)"
                                                         : ""));
  }
  // The umask can only clear bits; fchmod makes the mode exactly 0600.
  bool ok = ::fchmod(fd.get(), S_IRUSR | S_IWUSR) == 0;
  std::size_t written = 0;
  while (ok && written < kPinKeyBytes) {
    const ssize_t n = ::write(fd.get(), key.bytes().data() + written, kPinKeyBytes - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    else written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd.get()) == 0;
  const int error = errno;
  ok = fd.close() && ok;
  if (!ok) {
    ::unlink(path.c_str());
    throw std::runtime_error(
        fmt::format("cannot write the PIN key file {}: {}", path.string(), errno_text(error)));
  }
  return key;
}

PinKey load_pin_key_file(const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    throw std::runtime_error(fmt::format("cannot open the PIN key file {}: {}", path.string(),
                                         errno_text(errno)));
  }
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) {
    throw std::runtime_error(
        fmt::format("cannot stat the PIN key file {}: {}", path.string(), errno_text(errno)));
  }
  if (!S_ISREG(status.st_mode)) {
    throw std::runtime_error(
        fmt::format("the PIN key file {} is not a regular file", path.string()));
  }
  if ((status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw std::runtime_error(fmt::format(
        "the PIN key file {} has mode {:04o}, which lets group or others access it; run "
        "`chmod 600 {}`",
        path.string(), status.st_mode & 07777, path.string()));
  }

  // One byte more than a key, to detect a longer file.
  std::array<unsigned char, kPinKeyBytes + 1> buffer{};
  std::size_t size = 0;
  while (size < buffer.size()) {
    const ssize_t n = ::read(fd.get(), buffer.data() + size, buffer.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      OPENSSL_cleanse(buffer.data(), buffer.size());
      throw std::runtime_error(
          fmt::format("cannot read the PIN key file {}: {}", path.string(), errno_text(error)));
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  if (size != kPinKeyBytes) {
    OPENSSL_cleanse(buffer.data(), buffer.size());
    const std::string found =
        size > kPinKeyBytes ? fmt::format("more than {}", kPinKeyBytes) : std::to_string(size);
    throw std::runtime_error(
        fmt::format("the PIN key file {} must contain exactly {} bytes, but contains {}",
                    path.string(), kPinKeyBytes, found));
  }
  std::array<unsigned char, kPinKeyBytes> bytes{};
  std::memcpy(bytes.data(), buffer.data(), kPinKeyBytes);
  PinKey key(bytes);
  OPENSSL_cleanse(buffer.data(), buffer.size());
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return key;
}

std::optional<std::string> pin_format_error(std::string_view pin) {
  if (pin.size() < kMinPinDigits || pin.size() > kMaxPinDigits) {
    return fmt::format("invalid PIN: it must have {} to {} digits", kMinPinDigits, kMaxPinDigits);
  }
  for (const char c : pin) {
    if (c < '0' || c > '9') return std::string("invalid PIN: it must contain only digits 0-9");
  }
  return std::nullopt;
}

std::optional<std::string> pin_account_id_error(std::string_view account_id) {
  if (account_id.empty()) return std::string("invalid account id: it is empty");
  if (account_id.size() > kMaxPinAccountIdBytes) {
    return fmt::format("invalid account id: it has {} bytes, more than the maximum of {}",
                       account_id.size(), kMaxPinAccountIdBytes);
  }
  return std::nullopt;
}

PinVerificationValue compute_pin_verification_value(const PinKey& key,
                                                    std::string_view account_id,
                                                    std::string_view pin) {
  if (auto error = pin_account_id_error(account_id)) throw std::invalid_argument(*error);
  if (auto error = pin_format_error(pin)) throw std::invalid_argument(*error);

  std::string input(kPvvLabel);
  append_u32be(input, account_id.size());
  input.append(account_id);
  append_u32be(input, pin.size());
  input.append(pin);

  PinVerificationValue value{};
  unsigned int size = 0;
  const unsigned char* mac =
      HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), value.data(), &size);
  OPENSSL_cleanse(input.data(), input.size());
  if (mac == nullptr || size != value.size()) {
    throw std::runtime_error("OpenSSL HMAC-SHA-256 failed while computing a PIN verification value");
  }
  return value;
}

bool verify_pin(const PinKey& key, std::string_view account_id, std::string_view pin,
                const PinVerificationValue& stored) {
  if (pin_account_id_error(account_id) || pin_format_error(pin)) return false;
  const PinVerificationValue computed = compute_pin_verification_value(key, account_id, pin);
  return CRYPTO_memcmp(computed.data(), stored.data(), computed.size()) == 0;
}

std::string pin_verification_value_to_hex(const PinVerificationValue& value) {
  return to_hex(value.data(), value.size());
}

std::optional<PinVerificationValue> pin_verification_value_from_hex(std::string_view hex) {
  if (hex.size() != kPinVerificationValueBytes * 2) return std::nullopt;
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  PinVerificationValue value{};
  for (std::size_t i = 0; i < value.size(); ++i) {
    const int high = nibble(hex[2 * i]);
    const int low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    value[i] = static_cast<unsigned char>((high << 4) | low);
  }
  return value;
}

}  // namespace sippay::payment
