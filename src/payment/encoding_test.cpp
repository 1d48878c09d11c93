#include "payment/encoding.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>

namespace sippay::payment {
namespace {

TEST(Sha256, MatchesKnownVector) {
  // FIPS 180-2 appendix B.1.
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, HexRoundTrips) {
  const Sha256Digest digest = sha256("sippay");
  EXPECT_EQ(sha256_from_hex(to_hex(digest)), digest);
}

TEST(Sha256, HexRejectsUpperCaseAndWrongLength) {
  const std::string hex = to_hex(sha256("abc"));
  std::string upper = hex;
  upper[0] = 'B';
  EXPECT_FALSE(sha256_from_hex(upper));
  EXPECT_FALSE(sha256_from_hex(hex.substr(1)));
  EXPECT_FALSE(sha256_from_hex(hex + "0"));
  EXPECT_FALSE(sha256_from_hex(std::string(64, 'g')));
}

TEST(Base64, MatchesRfc4648Vectors) {
  // RFC 4648 §10.
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [bytes, text] : vectors) {
    EXPECT_EQ(to_base64(bytes), text);
    EXPECT_EQ(from_base64(text), bytes) << text;
  }
}

TEST(Base64, RoundTripsAllByteValues) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t size = 0; size <= bytes.size(); size += 37) {
    const std::string part = bytes.substr(0, size);
    EXPECT_EQ(from_base64(to_base64(part)), part) << size;
  }
}

TEST(Base64, DecodesWhatOpenSslEncodes) {
  std::mt19937 random(20261205);
  for (std::size_t size = 0; size < 300; ++size) {
    std::string bytes(size, '\0');
    for (char& byte : bytes) byte = static_cast<char>(random() & 0xff);
    std::string expected(4 * ((size + 2) / 3) + 1, '\0');
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(expected.data()),
                                       reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(size));
    expected.resize(static_cast<std::size_t>(length));
    EXPECT_EQ(to_base64(bytes), expected) << size;
    EXPECT_EQ(from_base64(expected), bytes) << size;
  }
}

TEST(Base64, RejectsNonCanonicalInput) {
  for (const std::string text :
       {"Zg", "Zg=", "Zg===", "Z===", "Zh==", "Zm9=", "Zm8=Zm8=", "Zm 9v", "Zm9v\n", "Zm9-",
        "Zm9_", "=Zm9", "Zm=v"}) {
    EXPECT_FALSE(from_base64(text)) << text;
  }
}

}  // namespace
}  // namespace sippay::payment
