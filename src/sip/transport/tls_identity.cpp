#include "sip/transport/tls_identity.hpp"

#include <openssl/asn1.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "sip/uri.hpp"

namespace sippay::sip {
namespace {

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

std::string normalize_domain(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') {
    domain.remove_suffix(1);
  }
  return to_lower(domain);
}

// The bytes of an IA5String, or nothing when they contain a NUL, which would
// let "good.example\0.evil" pass a C string comparison.
std::optional<std::string_view> ia5_text(const ASN1_IA5STRING* value) {
  const auto* data = reinterpret_cast<const char*>(ASN1_STRING_get0_data(value));
  const int length = ASN1_STRING_length(value);
  if (data == nullptr || length <= 0) {
    return std::nullopt;
  }
  std::string_view text(data, static_cast<std::size_t>(length));
  if (text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  return text;
}

std::optional<asio::ip::address> ip_from_octets(const ASN1_OCTET_STRING* value) {
  const unsigned char* data = ASN1_STRING_get0_data(value);
  const int length = ASN1_STRING_length(value);
  if (length == 4) {
    asio::ip::address_v4::bytes_type bytes;
    std::memcpy(bytes.data(), data, bytes.size());
    return asio::ip::address_v4(bytes);
  }
  if (length == 16) {
    asio::ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), data, bytes.size());
    return asio::ip::address_v6(bytes);
  }
  return std::nullopt;
}

// RFC 5922 §7.1: only a sip URI without a user part names a SIP domain.
void add_sip_uri(std::string_view text, CertificateIdentities& out) {
  const auto uri = parse_uri(text);
  if (!uri || uri->scheme != UriScheme::kSip || uri->has_user) {
    return;
  }
  out.sip_domains.push_back(normalize_domain(uri->host));
}

void add_subject_alt_names(X509* certificate, CertificateIdentities& out) {
  out.has_subject_alt_name = X509_get_ext_by_NID(certificate, NID_subject_alt_name, -1) >= 0;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) {
    return;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_URI) {
      if (const auto text = ia5_text(name->d.uniformResourceIdentifier)) {
        add_sip_uri(*text, out);
      }
    } else if (name->type == GEN_DNS) {
      if (const auto text = ia5_text(name->d.dNSName)) {
        out.dns_names.push_back(normalize_domain(*text));
      }
    } else if (name->type == GEN_IPADD) {
      if (const auto address = ip_from_octets(name->d.iPAddress)) {
        out.ip_addresses.push_back(*address);
      }
    }
  }
  GENERAL_NAMES_free(names);
}

void add_common_names(X509* certificate, CertificateIdentities& out) {
  const X509_NAME* subject = X509_get_subject_name(certificate);
  int index = -1;
  while ((index = X509_NAME_get_index_by_NID(subject, NID_commonName, index)) >= 0) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length > 0) {
      std::string_view text(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
      if (text.find('\0') == std::string_view::npos) {
        out.common_names.push_back(normalize_domain(text));
      }
    }
    OPENSSL_free(utf8);
  }
}

std::optional<asio::ip::address> parse_ip(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  std::error_code error;
  const auto address = asio::ip::make_address(std::string(text), error);
  if (error) {
    return std::nullopt;
  }
  return address;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

CertificateIdentities certificate_identities(X509* certificate) {
  CertificateIdentities out;
  add_subject_alt_names(certificate, out);
  add_common_names(certificate, out);
  return out;
}

bool certificate_matches(const CertificateIdentities& identities, std::string_view expected) {
  if (const auto address = parse_ip(expected)) {
    const auto& addresses = identities.ip_addresses;
    return std::find(addresses.begin(), addresses.end(), *address) != addresses.end();
  }

  const std::string domain = normalize_domain(expected);
  if (domain.empty()) {
    return false;
  }
  if (!identities.sip_domains.empty()) {
    return contains(identities.sip_domains, domain);
  }
  if (!identities.dns_names.empty()) {
    return contains(identities.dns_names, domain);
  }
  if (!identities.has_subject_alt_name) {
    return contains(identities.common_names, domain);
  }
  return false;
}

bool SipServerIdentityVerifier::operator()(bool preverified,
                                           asio::ssl::verify_context& context) const {
  X509_STORE_CTX* store = context.native_handle();
  if (!preverified) {
    return false;
  }
  // Chain certificates are checked by OpenSSL only; the identity is the leaf's.
  if (X509_STORE_CTX_get_error_depth(store) != 0) {
    return true;
  }
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  if (leaf != nullptr && certificate_matches(certificate_identities(leaf), expected_host_)) {
    return true;
  }
  X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
  return false;
}

}  // namespace sippay::sip
