// Runs `sippay pki` as an operator would, on a temporary directory, and
// checks the files it writes with the `openssl` command and the TrustStore.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <algorithm>
#include <string>

#include "security/trust_store.hpp"

namespace sippay::app {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_status = -1;
  std::string output;  // standard output and standard error together
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), got);
  const int status = ::pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

mode_t file_mode(const fs::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 07777;
}

// The value after "key=" in the output, up to the next space or line end.
std::string field(const std::string& output, const std::string& key) {
  const std::regex pattern("(^|\\s)" + key + "=(\\S+)");
  std::smatch match;
  if (!std::regex_search(output, match, pattern)) return {};
  return match[2];
}

class PkiCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "sippay-pki-command-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ / "pki";
  }
  void TearDown() override { fs::remove_all(root_); }

  CommandResult sippay(const std::string& arguments) const {
    return run(std::string(SIPPAY_BINARY) + " pki " + arguments);
  }

  std::string dir() const { return dir_.string(); }

  // Issues a certificate and returns the output of `sippay pki issue`.
  std::string issue(const std::string& arguments) const {
    const CommandResult result = sippay("issue --dir " + dir() + " " + arguments);
    EXPECT_EQ(result.exit_status, 0) << result.output;
    return result.output;
  }

  CommandResult openssl_verify(const std::string& certificate) const {
    return run("openssl verify -CAfile " + (dir_ / "ca.pem").string() + " -CRLfile " + (dir_ / "crl.pem").string() +
               " -crl_check " + certificate);
  }

  fs::path root_;
  fs::path dir_;
};

TEST_F(PkiCommand, InitCreatesEcCa) {
  const CommandResult init = sippay("init --dir " + dir() + " --name 'Test Operator CA'");
  ASSERT_EQ(init.exit_status, 0) << init.output;
  EXPECT_NE(init.output.find("created CA CN=Test Operator CA"), std::string::npos) << init.output;

  EXPECT_EQ(file_mode(dir_), 0700u);
  EXPECT_EQ(file_mode(dir_ / "ca.key"), 0600u);
  EXPECT_EQ(file_mode(dir_ / "issued"), 0700u);
  const CommandResult text = run("openssl x509 -in " + (dir_ / "ca.pem").string() + " -noout -text");
  ASSERT_EQ(text.exit_status, 0) << text.output;
  EXPECT_NE(text.output.find("CA:TRUE"), std::string::npos);
  EXPECT_NE(text.output.find("prime256v1"), std::string::npos);
  EXPECT_NE(text.output.find("Certificate Sign, CRL Sign"), std::string::npos);
  EXPECT_NE(text.output.find("ecdsa-with-SHA256"), std::string::npos);

  const CommandResult crl = run("openssl crl -in " + (dir_ / "crl.pem").string() + " -noout -text -CAfile " +
                                (dir_ / "ca.pem").string());
  ASSERT_EQ(crl.exit_status, 0) << crl.output;
  EXPECT_NE(crl.output.find("verify OK"), std::string::npos) << crl.output;
  EXPECT_NE(crl.output.find("No Revoked Certificates"), std::string::npos) << crl.output;
}

TEST_F(PkiCommand, InitRefusesExistingCa) {
  ASSERT_EQ(sippay("init --dir " + dir()).exit_status, 0);
  const std::string before = (std::stringstream() << std::ifstream(dir_ / "ca.pem").rdbuf()).str();
  const CommandResult again = sippay("init --dir " + dir());
  EXPECT_EQ(again.exit_status, 1);
  EXPECT_NE(again.output.find("already contains a CA"), std::string::npos) << again.output;
  const std::string after = (std::stringstream() << std::ifstream(dir_ / "ca.pem").rdbuf()).str();
  EXPECT_EQ(before, after);
}

TEST_F(PkiCommand, IssuesMerchantCertificate) {
  ASSERT_EQ(sippay("init --dir " + dir()).exit_status, 0);
  const std::string output = issue("--uri sip:merchant@shop.example.com --role merchant");
  const std::string certificate = field(output, "certificate");
  const std::string key = field(output, "key");
  ASSERT_FALSE(certificate.empty()) << output;
  EXPECT_EQ(file_mode(key), 0600u);

  const CommandResult names = run("openssl x509 -in " + certificate + " -noout -ext subjectAltName");
  ASSERT_EQ(names.exit_status, 0) << names.output;
  EXPECT_NE(names.output.find("URI:sip:merchant@shop.example.com"), std::string::npos) << names.output;
  const CommandResult usage = run("openssl x509 -in " + certificate + " -noout -ext keyUsage,extendedKeyUsage");
  EXPECT_NE(usage.output.find("Digital Signature, Key Agreement"), std::string::npos) << usage.output;
  EXPECT_NE(usage.output.find("E-mail Protection"), std::string::npos) << usage.output;
  // Merchants accept TLS connections from the proxy too.
  EXPECT_NE(usage.output.find("TLS Web Server Authentication"), std::string::npos) << usage.output;

  const CommandResult verify = openssl_verify(certificate);
  EXPECT_EQ(verify.exit_status, 0) << verify.output;
  EXPECT_NE(verify.output.find(": OK"), std::string::npos) << verify.output;
  const CommandResult public_from_key = run("openssl pkey -in " + key + " -pubout");
  const CommandResult public_from_certificate = run("openssl x509 -in " + certificate + " -noout -pubkey");
  EXPECT_EQ(public_from_key.output, public_from_certificate.output);
}

TEST_F(PkiCommand, IssuesProxyWithDnsAndServerAuth) {
  ASSERT_EQ(sippay("init --dir " + dir()).exit_status, 0);
  const std::string output =
      issue("--uri sip:proxy.example.com --role proxy --dns proxy.example.com --dns sip.example.com --days 30");
  const std::string certificate = field(output, "certificate");
  const CommandResult names = run("openssl x509 -in " + certificate + " -noout -ext subjectAltName");
  EXPECT_NE(names.output.find("URI:sip:proxy.example.com"), std::string::npos) << names.output;
  EXPECT_NE(names.output.find("DNS:proxy.example.com"), std::string::npos) << names.output;
  EXPECT_NE(names.output.find("DNS:sip.example.com"), std::string::npos) << names.output;
  const CommandResult usage = run("openssl x509 -in " + certificate + " -noout -ext extendedKeyUsage");
  EXPECT_NE(usage.output.find("TLS Web Server Authentication"), std::string::npos) << usage.output;
  EXPECT_NE(usage.output.find("TLS Web Client Authentication"), std::string::npos) << usage.output;
  const CommandResult purpose = run("openssl verify -purpose sslserver -CAfile " + (dir_ / "ca.pem").string() +
                                    " " + certificate);
  EXPECT_EQ(purpose.exit_status, 0) << purpose.output;
}

TEST_F(PkiCommand, IssuesCustomerWithIpAddress) {
  ASSERT_EQ(sippay("init --dir " + dir()).exit_status, 0);
  const std::string certificate =
      field(issue("--uri sip:alice@pay.test --role customer --ip 127.0.0.1 --ip ::1"), "certificate");
  const CommandResult names = run("openssl x509 -in " + certificate + " -noout -ext subjectAltName");
  EXPECT_NE(names.output.find("IP Address:127.0.0.1"), std::string::npos) << names.output;
  EXPECT_NE(names.output.find("IP Address:0:0:0:0:0:0:0:1"), std::string::npos) << names.output;
  // The proxy relays to a customer's TLS listener, so a customer is a TLS server too.
  const CommandResult purpose = run("openssl verify -purpose sslserver -CAfile " + (dir_ / "ca.pem").string() +
                                    " " + certificate);
  EXPECT_EQ(purpose.exit_status, 0) << purpose.output;
  const CommandResult bad = sippay("issue --dir " + dir() + " --uri sip:bob@pay.test --ip 1.2.3");
  EXPECT_EQ(bad.exit_status, 1);
  EXPECT_NE(bad.output.find("'1.2.3' is not an IP address; write it as 127.0.0.1 or ::1"), std::string::npos)
      << bad.output;
}

TEST_F(PkiCommand, RevokeBySerialPublishesCrl) {
  ASSERT_EQ(sippay("init --dir " + dir()).exit_status, 0);
  const std::string merchant = issue("--uri sip:merchant@shop.example.com");
  const std::string customer = issue("--uri sip:alice@example.com --role customer");
  const std::string serial = field(merchant, "serial");

  const CommandResult revoke = sippay("revoke --dir " + dir() + " --serial " + serial);
  ASSERT_EQ(revoke.exit_status, 0) << revoke.output;
  EXPECT_NE(revoke.output.find("revoked serial=" + serial), std::string::npos) << revoke.output;
  EXPECT_EQ(field(revoke.output, "number"), "2");

  const CommandResult revoked = openssl_verify(field(merchant, "certificate"));
  EXPECT_NE(revoked.exit_status, 0);
  EXPECT_NE(revoked.output.find("certificate revoked"), std::string::npos) << revoked.output;
  EXPECT_EQ(openssl_verify(field(customer, "certificate")).exit_status, 0);

  // The library reads the same files to the same verdict.
  const auto store = security::TrustStore::load(dir_ / "ca.pem", dir_ / "crl.pem");
  ASSERT_TRUE(store.ok()) << store.error().detail;
  const auto merchant_certificate = security::Certificate::load_pem_file(field(merchant, "certificate"));
  ASSERT_TRUE(merchant_certificate.ok());
  const auto verdict = store.value().verify(merchant_certificate.value(), {}, security::KeyPurpose::signing);
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().code, security::ErrorCode::revoked);

  const CommandResult twice = sippay("revoke --dir " + dir() + " --serial " + serial);
  EXPECT_EQ(twice.exit_status, 1);
  EXPECT_NE(twice.output.find("already revoked"), std::string::npos) << twice.output;
}

TEST_F(PkiCommand, RevokeByUriAndList) {
  ASSERT_EQ(sippay("init --dir " + dir()).exit_status, 0);
  const std::string first = issue("--uri sip:merchant@shop.example.com");
  const std::string second = issue("--uri sip:merchant@SHOP.example.com --days 10");
  const std::string other = issue("--uri sip:alice@example.com --role customer");

  const CommandResult revoke = sippay("revoke --dir " + dir() + " --uri sip:merchant@shop.example.com");
  ASSERT_EQ(revoke.exit_status, 0) << revoke.output;
  EXPECT_NE(revoke.output.find(field(first, "serial")), std::string::npos);
  EXPECT_NE(revoke.output.find(field(second, "serial")), std::string::npos);
  EXPECT_EQ(revoke.output.find(field(other, "serial")), std::string::npos);

  const CommandResult list = sippay("list --dir " + dir());
  ASSERT_EQ(list.exit_status, 0) << list.output;
  EXPECT_NE(list.output.find("SERIAL"), std::string::npos);
  const std::regex revoked_row(field(first, "serial") + "\\s+revoked\\s+\\S+\\s+merchant\\s+sip:merchant@shop");
  EXPECT_TRUE(std::regex_search(list.output, revoked_row)) << list.output;
  const std::regex valid_row(field(other, "serial") + "\\s+valid\\s+\\S+\\s+customer\\s+sip:alice@example.com");
  EXPECT_TRUE(std::regex_search(list.output, valid_row)) << list.output;

  const CommandResult crl = run("openssl crl -in " + (dir_ / "crl.pem").string() + " -noout -text");
  EXPECT_NE(crl.output.find(field(first, "serial")), std::string::npos) << crl.output;
  EXPECT_NE(crl.output.find(field(second, "serial")), std::string::npos) << crl.output;

  const CommandResult none = sippay("revoke --dir " + dir() + " --uri sip:merchant@shop.example.com");
  EXPECT_EQ(none.exit_status, 1);
  EXPECT_NE(none.output.find("no unrevoked certificate"), std::string::npos) << none.output;
}

TEST_F(PkiCommand, CrlCommandRaisesNumber) {
  ASSERT_EQ(sippay("init --dir " + dir()).exit_status, 0);
  const CommandResult crl = sippay("crl --dir " + dir() + " --crl-days 7");
  ASSERT_EQ(crl.exit_status, 0) << crl.output;
  EXPECT_EQ(field(crl.output, "number"), "2");
  const CommandResult text = run("openssl crl -in " + (dir_ / "crl.pem").string() + " -noout -crlnumber");
  EXPECT_NE(text.output.find("crlNumber=0x02"), std::string::npos) << text.output;
}

TEST_F(PkiCommand, RsaCaAndCertificate) {
  const CommandResult init = sippay("init --dir " + dir() + " --algorithm rsa-3072");
  ASSERT_EQ(init.exit_status, 0) << init.output;
  const std::string output = issue("--uri sip:gateway.example.com --role gateway --algorithm rsa-3072");
  const std::string certificate = field(output, "certificate");
  const CommandResult text = run("openssl x509 -in " + certificate + " -noout -text");
  EXPECT_NE(text.output.find("Public-Key: (3072 bit)"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("sha256WithRSAEncryption"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Digital Signature, Key Encipherment"), std::string::npos) << text.output;
  EXPECT_EQ(openssl_verify(certificate).exit_status, 0);
}

// A certificate from `sippay pki issue` works with `openssl cms` for signing
// and for enveloping, the two uses the S/MIME bodies make of it.
TEST_F(PkiCommand, CertificatesWorkWithOpensslCms) {
  ASSERT_EQ(sippay("init --dir " + dir()).exit_status, 0);
  const std::string output = issue("--uri sip:merchant@shop.example.com");
  const std::string certificate = field(output, "certificate");
  const std::string key = field(output, "key");
  const fs::path message = root_ / "message.txt";
  std::ofstream(message) << "order 42: 100.00 EUR\n";

  const std::string signed_file = (root_ / "signed.p7m").string();
  ASSERT_EQ(run("openssl cms -sign -nodetach -binary -in " + message.string() + " -signer " + certificate + " -inkey " + key +
                " -outform DER -out " + signed_file)
                .exit_status,
            0);
  // openssl cms (3.0) has no -CRLfile, but reads CRLs from the -CAfile.
  const fs::path ca_and_crl = root_ / "ca-and-crl.pem";
  ASSERT_EQ(run("cat " + (dir_ / "ca.pem").string() + " " + (dir_ / "crl.pem").string() + " > " +
                ca_and_crl.string())
                .exit_status,
            0);
  const CommandResult verify = run("openssl cms -verify -binary -inform DER -in " + signed_file + " -CAfile " +
                                   ca_and_crl.string() + " -crl_check");
  EXPECT_EQ(verify.exit_status, 0) << verify.output;
  EXPECT_NE(verify.output.find("order 42: 100.00 EUR"), std::string::npos) << verify.output;

  const std::string enveloped = (root_ / "enveloped.p7m").string();
  ASSERT_EQ(run("openssl cms -encrypt -binary -aes-128-cbc -in " + message.string() + " -outform DER -out " +
                enveloped + " " + certificate)
                .exit_status,
            0);
  const CommandResult decrypt = run("openssl cms -decrypt -binary -inform DER -in " + enveloped + " -recip " +
                                    certificate + " -inkey " + key);
  EXPECT_EQ(decrypt.exit_status, 0) << decrypt.output;
  EXPECT_EQ(decrypt.output, "order 42: 100.00 EUR\n");
}

TEST_F(PkiCommand, RejectsBadInput) {
  ASSERT_EQ(sippay("init --dir " + dir()).exit_status, 0);
  const struct {
    std::string arguments;
    std::string message;
  } cases[] = {
      {"issue --dir " + dir() + " --uri mailto:a@example.com", "not a valid sip or sips URI"},
      {"issue --dir " + dir() + " --uri sip:a@example.com --days 900", "use 1 to 825 days"},
      {"issue --dir " + dir() + " --uri sip:a@example.com --dns '*.example.com'", "not a valid DNS host name"},
      {"issue --dir " + dir() + " --uri sip:a@example.com --days 3651", "use 1 to 825 days"},
      {"revoke --dir " + dir() + " --serial 0BAD", "no certificate with serial BAD"},
      {"list --dir " + (root_ / "absent").string(), "absent"},
      {"issue --dir " + (root_ / "absent").string() + " --uri sip:a@example.com", "does not exist"},
      {"init --dir " + (root_ / "other").string() + " --crl-days 0", "use 1 to 365 days"},
  };
  for (const auto& test_case : cases) {
    const CommandResult result = sippay(test_case.arguments);
    EXPECT_EQ(result.exit_status, 1) << test_case.arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(test_case.message), std::string::npos) << test_case.arguments << "\n"
                                                                        << result.output;
  }
  // Nothing was added to the index by the failed commands.
  const CommandResult list = sippay("list --dir " + dir());
  EXPECT_EQ(std::count(list.output.begin(), list.output.end(), '\n'), 1) << list.output;
}

TEST_F(PkiCommand, CertificateMayNotOutliveCa) {
  ASSERT_EQ(sippay("init --dir " + dir() + " --days 10").exit_status, 0);
  const CommandResult result = sippay("issue --dir " + dir() + " --uri sip:a@example.com --days 11");
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_NE(result.output.find("outlive the CA"), std::string::npos) << result.output;
}

TEST_F(PkiCommand, RefusesReadableCaKey) {
  ASSERT_EQ(sippay("init --dir " + dir()).exit_status, 0);
  ASSERT_EQ(::chmod((dir_ / "ca.key").c_str(), 0644), 0);
  const CommandResult result = sippay("issue --dir " + dir() + " --uri sip:a@example.com");
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_NE(result.output.find("chmod 600"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace sippay::app
