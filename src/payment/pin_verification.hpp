// PIN verification values: the gateway stores a keyed value per account,
// never the PIN, and compares in constant time, as payment HSMs do.
//
//   PVV = HMAC-SHA-256(pin_key,
//           "sippay-pvv-v1" || u32be(len(account_id)) || account_id
//                           || u32be(len(pin)) || pin)
//
// The label separates this use of the key from any other; the 4-byte
// big-endian lengths make the input unambiguous, so ("12", "3456") and
// ("123", "456") never share an input. Binding the account id means two
// accounts with the same PIN have different values.
//
// The PIN key is 32 random bytes in a file of its own (raw bytes, no
// encoding), mode 0600. Nothing in this file logs, prints or puts a PIN or a
// key in an error message.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sippay::payment {

// Size of the gateway's PIN key and of its key file, in bytes.
inline constexpr std::size_t kPinKeyBytes = 32;
// A PIN is kMinPinDigits to kMaxPinDigits ASCII digits '0'..'9', nothing else
// (the ISO 9564 range for PINs).
inline constexpr std::size_t kMinPinDigits = 4;
inline constexpr std::size_t kMaxPinDigits = 12;
// Maximum length of the account id bound into a value, in bytes. It is
// non-empty; any bytes are allowed because the input is length-framed.
inline constexpr std::size_t kMaxPinAccountIdBytes = 256;
// Size of a PIN verification value (an HMAC-SHA-256 output), in bytes.
inline constexpr std::size_t kPinVerificationValueBytes = 32;

using PinVerificationValue = std::array<unsigned char, kPinVerificationValueBytes>;

// The gateway's secret PIN key. The bytes are wiped when the key is destroyed;
// the type has no way to print them.
class PinKey {
 public:
  explicit PinKey(const std::array<unsigned char, kPinKeyBytes>& bytes) : bytes_(bytes) {}
  PinKey(const PinKey&) = default;
  PinKey& operator=(const PinKey&) = default;
  ~PinKey();

  const std::array<unsigned char, kPinKeyBytes>& bytes() const { return bytes_; }

 private:
  std::array<unsigned char, kPinKeyBytes> bytes_;
};

// Draws a new key from OpenSSL's RAND_bytes. Throws std::runtime_error when
// OpenSSL has no randomness.
PinKey generate_pin_key();

// Creates `path` with mode 0600 and writes a new random key to it, then syncs
// it. Never overwrites: throws std::runtime_error naming the path when the
// file exists or cannot be written (a partly written file is removed).
PinKey create_pin_key_file(const std::filesystem::path& path);

// Reads the key from `path`. Throws std::runtime_error naming the path when
// the file is missing, is not a regular file, grants any permission to group
// or others (fix: `chmod 600 PATH`), or does not contain exactly kPinKeyBytes
// bytes. Symbolic links are not followed.
PinKey load_pin_key_file(const std::filesystem::path& path);

// Checks the PIN format. Returns nothing for a valid PIN, otherwise a message
// for the user that names the rule broken but never contains the PIN.
std::optional<std::string> pin_format_error(std::string_view pin);

// Checks an account id for a PIN verification value: 1 to
// kMaxPinAccountIdBytes bytes. Returns nothing when valid, else a message.
std::optional<std::string> pin_account_id_error(std::string_view account_id);

// Computes the value stored for `account_id` with `pin`. Throws
// std::invalid_argument (with the message of pin_format_error or
// pin_account_id_error) when either is invalid.
PinVerificationValue compute_pin_verification_value(const PinKey& key,
                                                    std::string_view account_id,
                                                    std::string_view pin);

// Returns whether `pin` matches `stored` for `account_id`. The comparison of
// the values takes the same time wherever they differ. A PIN or account id
// of the wrong format never matches.
bool verify_pin(const PinKey& key, std::string_view account_id, std::string_view pin,
                const PinVerificationValue& stored);

// Lowercase hex of a value (64 characters), for storage in a text column.
std::string pin_verification_value_to_hex(const PinVerificationValue& value);

// Parses 64 hex digits (either case). Returns nothing for any other input.
std::optional<PinVerificationValue> pin_verification_value_from_hex(std::string_view hex);

}  // namespace sippay::payment
