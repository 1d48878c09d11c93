// Errors of the security layer. Expected failures (hostile or broken input,
// untrusted certificates, replays) are values, never exceptions.
//
// An Error's detail names the failing value and what to do; it never contains
// key material, PINs or plaintext.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sippay::security {

enum class ErrorCode {
  malformed,              // input that does not parse (PEM, DER, CMS, MIME, URI)
  too_large,              // input past a documented size limit
  io,                     // a file could not be read or written, or has unsafe permissions
  bad_signature,          // a signature does not verify
  decrypt_failed,         // decryption or its integrity check failed
  not_a_recipient,        // no recipient info matches our key
  unsupported_algorithm,  // an algorithm or key size outside the accepted set
  untrusted_chain,        // no chain to the operator CA
  expired,                // past notAfter at the verification time
  not_yet_valid,          // before notBefore at the verification time
  revoked,                // listed on the operator CRL
  crl_invalid,            // a CRL that is unsigned, expired, of unclear scope or missing
  bad_key_usage,          // key usage or extended key usage unfit for the purpose
  identity_mismatch,      // the certificate's SIP URIs do not include the claimed sender
  replayed,               // a key seen before, or too old or too new to check
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string detail;
};

// Holds a T or an Error. Reading the wrong alternative throws
// std::bad_variant_access: check ok() first.
template <class T>
class Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}     // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

using Status = Result<std::monostate>;

inline Status ok_status() { return Status(std::monostate{}); }

}  // namespace sippay::security
