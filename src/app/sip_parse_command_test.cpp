#include "app/sip_parse_command.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sippay::app {
namespace {

namespace fs = std::filesystem;

const std::string kValid =
    "MESSAGE sip:merchant@pay.test SIP/2.0\r\n"
    "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-m1\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@pay.test>;tag=1\r\n"
    "To: <sip:merchant@pay.test>\r\n"
    "Call-ID: m1@192.0.2.1\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 5\r\n"
    "\r\n"
    "hello";

class SipParseCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sippay-parse-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& bytes) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }

  int run(const std::vector<std::string>& files) {
    SipParseOptions options;
    options.files = files;
    out_.str("");
    err_.str("");
    return run_sip_parse(options, out_, err_);
  }

  fs::path dir_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(SipParseCommand, ValidMessageExitsZero) {
  const std::string path = write("valid.sip", kValid);
  EXPECT_EQ(run({path}), 0);
  EXPECT_EQ(err_.str(), "");
  const auto json = nlohmann::json::parse(out_.str());
  EXPECT_EQ(json["file"], path);
  EXPECT_EQ(json["start_line"]["method"], "MESSAGE");
  EXPECT_EQ(json["body_length"], 5);
}

TEST_F(SipParseCommand, InvalidMessageExitsOne) {
  std::string broken = kValid;
  broken.replace(broken.find("SIP/2.0\r\n"), 7, "SIP/3.0");
  const std::string path = write("bad.sip", broken);
  EXPECT_EQ(run({path}), 1);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str().rfind(path + ": invalid: ", 0), 0u) << err_.str();
  EXPECT_NE(err_.str().find("SIP/3.0"), std::string::npos) << err_.str();
}

TEST_F(SipParseCommand, MixedFilesReportEach) {
  const std::string good = write("good.sip", kValid);
  const std::string bad = write("bad.sip", "garbage\r\n\r\n");
  EXPECT_EQ(run({good, bad, good}), 1);
  std::istringstream lines(out_.str());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) ++count;
  EXPECT_EQ(count, 2);
  EXPECT_NE(err_.str().find(bad + ": invalid: "), std::string::npos);
}

TEST_F(SipParseCommand, MissingFileExitsTwo) {
  EXPECT_EQ(run({(dir_ / "absent.sip").string()}), 2);
  EXPECT_NE(err_.str().find("absent.sip: error: cannot open file"), std::string::npos) << err_.str();
}

TEST_F(SipParseCommand, SemanticErrorReportedButValid) {
  std::string no_call_id = kValid;
  no_call_id.erase(no_call_id.find("Call-ID"), std::string("Call-ID: m1@192.0.2.1\r\n").size());
  EXPECT_EQ(run({write("no-call-id.sip", no_call_id)}), 0);
  const auto json = nlohmann::json::parse(out_.str());
  EXPECT_NE(json["semantic_error"].get<std::string>().find("missing required header Call-ID"),
            std::string::npos);
}

TEST_F(SipParseCommand, OversizedFileIs513) {
  std::string big = kValid;
  big.insert(big.find("Content-Type"), "X-Pad: " + std::string(70000, 'a') + "\r\n");
  EXPECT_EQ(run({write("big.sip", big)}), 1);
  EXPECT_NE(err_.str().find("exceeds the limit of 65535"), std::string::npos) << err_.str();
}

TEST_F(SipParseCommand, BinaryReadsStandardInput) {
  const std::string path = write("stdin.sip", kValid);
  const std::string command = std::string(SIPPAY_BINARY) + " sip parse - < " + path;
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const auto json = nlohmann::json::parse(output);
  EXPECT_EQ(json["file"], "-");
  EXPECT_EQ(json["headers"][0]["parsed"][0]["branch"], "z9hG4bK-m1");
}

}  // namespace
}  // namespace sippay::app
