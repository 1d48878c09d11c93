#include "app/cms_command.hpp"

#include <openssl/pem.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <optional>
#include <ostream>
#include <stdexcept>

#include "security/cms_enveloped_data.hpp"
#include "security/cms_signed_data.hpp"
#include "security/file_io.hpp"
#include "security/openssl_util.hpp"
#include "security/smime_body.hpp"
#include "security/smime_response.hpp"
#include "security/trust_store.hpp"

namespace sippay::app {
namespace {

namespace security = sippay::security;
using Action = CmsOptions::Action;

// Largest input file read: the CMS input limit plus room for PEM's base64.
constexpr std::size_t kMaxInputFileBytes = security::CmsLimits{}.max_input_bytes * 2;

// A file or option that cannot be used; exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <class T>
T take(security::Result<T> result, std::string_view what) {
  if (!result) {
    throw UsageError(fmt::format("{}: {} ({})", what, result.error().detail,
                                 security::to_string(result.error().code)));
  }
  return std::move(result.value());
}

std::string read_input(const std::string& path) {
  std::string bytes = take(security::read_file(path, kMaxInputFileBytes), path);
  if (bytes.rfind("-----BEGIN ", 0) != 0) return bytes;

  // PEM: accept the labels that openssl cms -outform PEM writes.
  security::BioPtr bio = security::memory_bio(bytes);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &length) != 1) {
    throw UsageError(fmt::format("{}: invalid PEM: {}", path, security::take_openssl_errors()));
  }
  const std::string label = name;
  std::string der(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  if (label != "CMS" && label != "PKCS7") {
    throw UsageError(fmt::format("{}: PEM label '{}' is not CMS or PKCS7", path, label));
  }
  return der;
}

void write_output(const std::string& path, std::string_view bytes, mode_t mode) {
  const security::Status written = security::write_file_atomic(path, bytes, mode);
  if (!written) throw UsageError(fmt::format("{}: {}", path, written.error().detail));
}

security::Certificate load_certificate(const std::string& path) {
  return take(security::Certificate::load_pem_file(path), path);
}

security::SignerCredentials load_signer(const CmsOptions& options) {
  return security::SignerCredentials{load_certificate(options.cert),
                                     take(security::PrivateKey::load_pem_file(options.key), options.key),
                                     {}};
}

security::TrustStore load_trust(const CmsOptions& options) {
  std::optional<std::filesystem::path> crl;
  if (!options.crl.empty()) crl = options.crl;
  return take(security::TrustStore::load(options.ca, crl), options.ca);
}

std::vector<security::Certificate> load_recipients(const CmsOptions& options) {
  std::vector<security::Certificate> recipients;
  for (const std::string& path : options.recipients) recipients.push_back(load_certificate(path));
  return recipients;
}

security::VerifyOptions verify_options(const CmsOptions& options) {
  security::VerifyOptions verify;
  verify.claimed_sender = options.sender;
  verify.require_identity = !options.sender.empty();
  return verify;
}

void print_signer(const security::VerifiedCertificate& signer, std::ostream& out) {
  for (const std::string& uri : signer.sip_uris) out << "signer: " << uri << "\n";
  if (signer.sip_uris.empty()) out << "signer: (no SIP URI) " << signer.certificate.subject() << "\n";
}

// Writes the opened payload: a single part's body, or the multipart/mixed
// entity of several parts.
void write_payload(const CmsOptions& options, const security::OpenedBody& opened, std::ostream& out) {
  if (opened.parts.size() == 1) {
    out << "content-type: " << opened.parts[0].content_type << "\n";
    write_output(options.out, opened.parts[0].body, 0600);
    return;
  }
  out << "content-type: multipart/mixed (" << opened.parts.size() << " parts)\n";
  write_output(options.out, security::write_payload_entity(opened.parts), 0600);
}

// Runs the chosen action. Returns the failure when sippay rejects the input.
std::optional<security::CmsError> run_action(const CmsOptions& options, std::ostream& out) {
  const std::string input = read_input(options.in);
  switch (options.action) {
    case Action::sign: {
      auto der = security::sign_data(input, load_signer(options));
      if (!der) return der.error();
      write_output(options.out, der.value(), 0644);
      return std::nullopt;
    }
    case Action::verify: {
      auto verified = security::verify_signed_data(input, load_trust(options), verify_options(options));
      if (!verified) return verified.error();
      write_output(options.out, verified.value().content, 0600);
      print_signer(verified.value().signer, out);
      return std::nullopt;
    }
    case Action::encrypt: {
      auto der = security::encrypt_data(input, load_recipients(options), load_trust(options));
      if (!der) return der.error();
      write_output(options.out, der.value(), 0644);
      return std::nullopt;
    }
    case Action::decrypt: {
      const security::SignerCredentials own = load_signer(options);
      auto decrypted = security::decrypt_data(input, own.certificate, own.key);
      if (!decrypted) return decrypted.error();
      write_output(options.out, decrypted.value().content, 0600);
      if (decrypted.value().protection == security::ContentProtection::needs_inner_signature) {
        out << "protection: AES-CBC, confidentiality only; verify the signed content inside\n";
      }
      return std::nullopt;
    }
    case Action::seal: {
      auto body = security::seal_body({{options.content_type, input}}, load_signer(options),
                                      load_recipients(options), load_trust(options));
      if (!body) return body.error();
      write_output(options.out, body.value().der, 0644);
      out << "Content-Type: " << body.value().content_type << "\n";
      out << "Content-Disposition: " << body.value().content_disposition << "\n";
      return std::nullopt;
    }
    case Action::open: {
      const security::SignerCredentials own = load_signer(options);
      auto type = security::peek_content_type(input, {});
      if (!type) return type.error();
      const auto smime_type = type.value() == security::CmsContentType::enveloped_data
                                  ? security::SmimeType::enveloped_data
                                  : security::SmimeType::auth_enveloped_data;
      auto opened = security::open_body(security::smime_content_type(smime_type), input,
                                        own.certificate, own.key, load_trust(options),
                                        verify_options(options));
      if (!opened) return opened.error();
      print_signer(opened.value().signer, out);
      write_payload(options, opened.value(), out);
      return std::nullopt;
    }
    case Action::none:
      break;
  }
  throw UsageError("no cms subcommand given");
}

CLI::App* add_action(CLI::App& cms, CmsOptions& options, const char* name, Action action,
                     const char* description) {
  CLI::App* command = cms.add_subcommand(name, description);
  command->callback([&options, action] { options.action = action; });
  command->add_option("--in", options.in, "Input file (DER; PEM with a CMS or PKCS7 label also read)")
      ->required();
  command->add_option("--out", options.out, "Output file")->required();
  return command;
}

void add_own_key_options(CLI::App& command, CmsOptions& options, const char* role) {
  command.add_option("--cert", options.cert, fmt::format("PEM certificate of the {}", role))->required();
  command.add_option("--key", options.key, fmt::format("PEM private key of the {} (mode 0600)", role))
      ->required();
}

void add_trust_options(CLI::App& command, CmsOptions& options) {
  command.add_option("--ca", options.ca, "PEM certificate of the operator CA")->required();
  command.add_option("--crl", options.crl, "PEM CRL of the operator CA; without it no revocation check");
}

void add_sender_option(CLI::App& command, CmsOptions& options) {
  command.add_option("--sender", options.sender,
                     "SIP URI the message claims to come from; the signer certificate must carry "
                     "it. Without it any signer the CA trusts is accepted and printed");
}

void add_recipient_option(CLI::App& command, CmsOptions& options) {
  command.add_option("--recipient", options.recipients, "PEM certificate of a recipient; repeatable")
      ->required();
}

}  // namespace

void add_cms_command(CLI::App& app, CmsOptions& options) {
  CLI::App* cms = app.add_subcommand("cms", "CMS and S/MIME bodies: sign, verify, encrypt, decrypt, seal, open");
  cms->require_subcommand(1);

  CLI::App* sign = add_action(*cms, options, "sign", Action::sign, "Sign into a DER SignedData");
  add_own_key_options(*sign, options, "signer");

  CLI::App* verify = add_action(*cms, options, "verify", Action::verify,
                                "Verify a SignedData; write its content and print the signer");
  add_trust_options(*verify, options);
  add_sender_option(*verify, options);

  CLI::App* encrypt = add_action(*cms, options, "encrypt", Action::encrypt,
                                 "Encrypt into AuthEnvelopedData (AES-128-GCM)");
  add_recipient_option(*encrypt, options);
  add_trust_options(*encrypt, options);

  CLI::App* decrypt = add_action(*cms, options, "decrypt", Action::decrypt,
                                 "Decrypt an AuthEnvelopedData or EnvelopedData");
  add_own_key_options(*decrypt, options, "recipient");

  CLI::App* seal = add_action(*cms, options, "seal", Action::seal,
                              "Sign, then encrypt for the recipients: an S/MIME authEnveloped-data body");
  add_own_key_options(*seal, options, "signer");
  add_recipient_option(*seal, options);
  add_trust_options(*seal, options);
  seal->add_option("--content-type", options.content_type, "Media type of the input")
      ->capture_default_str();

  CLI::App* open = add_action(*cms, options, "open", Action::open,
                              "Decrypt and verify a sealed body; write the content, print the signer");
  add_own_key_options(*open, options, "recipient");
  add_trust_options(*open, options);
  add_sender_option(*open, options);
}

int run_cms(const CmsOptions& options, std::ostream& out, std::ostream& err) {
  try {
    const auto failure = run_action(options, out);
    if (!failure) return 0;
    const security::SipRejection rejection = security::sip_rejection_for(*failure);
    err << "sippay cms: rejected: " << rejection.log_reason << "\n";
    err << "sippay cms: a SIP UAS answers " << rejection.status_code << " "
        << rejection.reason_phrase << "\n";
    return 1;
  } catch (const UsageError& error) {
    err << "sippay cms: error: " << error.what() << "\n";
    return 2;
  }
}

}  // namespace sippay::app
