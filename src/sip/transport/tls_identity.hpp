// The identity check of a SIP TLS client (RFC 5922 §7): which names a
// server certificate asserts, and whether one of them is the expected host.
#pragma once

#include <asio/ip/address.hpp>
#include <asio/ssl/verify_context.hpp>
#include <openssl/x509.h>
#include <string>
#include <string_view>
#include <vector>

namespace sippay::sip {

// The names in a certificate that can identify a SIP domain or an address.
struct CertificateIdentities {
  // Hosts of subjectAltName URIs of scheme sip without a user part, in lower case.
  std::vector<std::string> sip_domains;
  std::vector<std::string> dns_names;  // subjectAltName dNSName, in lower case
  std::vector<asio::ip::address> ip_addresses;  // subjectAltName iPAddress
  std::vector<std::string> common_names;        // subject CN, in lower case
  bool has_subject_alt_name = false;
};

CertificateIdentities certificate_identities(X509* certificate);

// Checks whether `identities` name `expected`, a domain name or an IP
// address (bare or bracketed IPv6). An IP address must equal an iPAddress
// subjectAltName. A domain must equal the host of a sip URI subjectAltName,
// ignoring case and a trailing dot. Without such a URI a dNSName must match
// instead, and without any subjectAltName the subject CN. Wildcards never
// match (RFC 5922 §7.2).
bool certificate_matches(const CertificateIdentities& identities, std::string_view expected);

// A verify callback for asio::ssl::stream::set_verify_callback: accepts the
// chain as OpenSSL verified it, and the leaf certificate only when it
// matches `expected_host`.
class SipServerIdentityVerifier {
 public:
  explicit SipServerIdentityVerifier(std::string expected_host)
      : expected_host_(std::move(expected_host)) {}
  bool operator()(bool preverified, asio::ssl::verify_context& context) const;

 private:
  std::string expected_host_;
};

}  // namespace sippay::sip
