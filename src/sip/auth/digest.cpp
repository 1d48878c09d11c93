#include "sip/auth/digest.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <span>
#include <stdexcept>

#include "sip/charset.hpp"
#include "sip/scanner.hpp"

namespace sippay::sip {
namespace {

const EVP_MD* evp_for(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kMd5:
      return EVP_md5();
    case DigestAlgorithm::kSha256:
      return EVP_sha256();
    case DigestAlgorithm::kSha512_256:
      return EVP_sha512_256();
  }
  return nullptr;
}

int strength(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kMd5:
      return 1;
    case DigestAlgorithm::kSha256:
      return 2;
    case DigestAlgorithm::kSha512_256:
      return 3;
  }
  return 0;
}

// Picks the qop to respond with from a challenge's quoted list.
std::string_view choose_qop(std::string_view offered) {
  const std::string list = unquote(offered);
  bool auth = false;
  bool auth_int = false;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string_view item = std::string_view(list).substr(start, end - start);
    while (!item.empty() && charset::is_ws(item.front())) item.remove_prefix(1);
    while (!item.empty() && charset::is_ws(item.back())) item.remove_suffix(1);
    auth = auth || charset::iequals(item, "auth");
    auth_int = auth_int || charset::iequals(item, "auth-int");
    start = end + 1;
  }
  if (auth) return "auth";
  if (auth_int) return "auth-int";
  return {};
}

}  // namespace

std::optional<DigestAlgorithmSpec> parse_digest_algorithm(std::string_view token) {
  if (token.empty()) return DigestAlgorithmSpec{DigestAlgorithm::kMd5, false};
  DigestAlgorithmSpec spec;
  std::string_view name = token;
  if (name.size() > 5 && charset::iequals(name.substr(name.size() - 5), "-sess")) {
    spec.session = true;
    name.remove_suffix(5);
  }
  if (charset::iequals(name, "MD5")) {
    spec.algorithm = DigestAlgorithm::kMd5;
  } else if (charset::iequals(name, "SHA-256")) {
    spec.algorithm = DigestAlgorithm::kSha256;
  } else if (charset::iequals(name, "SHA-512-256")) {
    spec.algorithm = DigestAlgorithm::kSha512_256;
  } else {
    return std::nullopt;
  }
  return spec;
}

std::string_view digest_algorithm_name(DigestAlgorithmSpec spec) {
  switch (spec.algorithm) {
    case DigestAlgorithm::kMd5:
      return spec.session ? "MD5-sess" : "MD5";
    case DigestAlgorithm::kSha256:
      return spec.session ? "SHA-256-sess" : "SHA-256";
    case DigestAlgorithm::kSha512_256:
      return spec.session ? "SHA-512-256-sess" : "SHA-512-256";
  }
  return "MD5";
}

std::string digest_hash(DigestAlgorithm algorithm, std::string_view data) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), hash, &length, evp_for(algorithm), nullptr) != 1) {
    throw std::runtime_error("OpenSSL EVP_Digest failed for a Digest authentication hash");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[hash[i] >> 4]);
    hex.push_back(kHex[hash[i] & 0xF]);
  }
  return hex;
}

std::string digest_response(const DigestInputs& in) {
  const DigestAlgorithm algorithm = in.algorithm.algorithm;
  std::string ha1 = in.ha1.empty()
                        ? digest_hash(algorithm, fmt::format("{}:{}:{}", in.username, in.realm, in.password))
                        : std::string(in.ha1);
  if (in.algorithm.session) {
    ha1 = digest_hash(algorithm, fmt::format("{}:{}:{}", ha1, in.nonce, in.cnonce));
  }
  const std::string ha2 =
      in.qop == "auth-int"
          ? digest_hash(algorithm, fmt::format("{}:{}:{}", in.method, in.digest_uri,
                                               digest_hash(algorithm, in.body)))
          : digest_hash(algorithm, fmt::format("{}:{}", in.method, in.digest_uri));
  if (in.qop.empty()) return digest_hash(algorithm, fmt::format("{}:{}:{}", ha1, in.nonce, ha2));
  return digest_hash(algorithm, fmt::format("{}:{}:{}:{}:{}:{}", ha1, in.nonce, in.nonce_count,
                                            in.cnonce, in.qop, ha2));
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string_view digest_challenge_qop(const AuthHeader& challenge) {
  return challenge.qop.empty() ? std::string_view{} : choose_qop(challenge.qop);
}

const AuthHeader* choose_digest_challenge(std::span<const AuthHeader> challenges) {
  const AuthHeader* best = nullptr;
  int best_strength = 0;
  for (const AuthHeader& challenge : challenges) {
    if (!challenge.is_digest || challenge.nonce.empty()) continue;
    const auto spec = parse_digest_algorithm(challenge.algorithm);
    if (!spec) continue;
    if (strength(spec->algorithm) > best_strength) {
      best = &challenge;
      best_strength = strength(spec->algorithm);
    }
  }
  return best;
}

std::optional<DigestAnswer> answer_digest_challenge(const AuthHeader& challenge,
                                                    const DigestCredentials& credentials,
                                                    std::string_view method,
                                                    std::string_view digest_uri,
                                                    std::string_view body, unsigned nonce_count,
                                                    std::string_view cnonce) {
  if (!challenge.is_digest || challenge.nonce.empty()) return std::nullopt;
  const auto algorithm = parse_digest_algorithm(challenge.algorithm);
  if (!algorithm) return std::nullopt;

  const std::string realm = unquote(challenge.realm);
  const std::string nonce = unquote(challenge.nonce);
  const std::string_view qop = digest_challenge_qop(challenge);
  const std::string nc = fmt::format("{:08x}", nonce_count);

  DigestInputs inputs;
  inputs.algorithm = *algorithm;
  inputs.username = credentials.username;
  inputs.realm = realm;
  inputs.password = credentials.password;
  inputs.nonce = nonce;
  inputs.cnonce = cnonce;
  inputs.nonce_count = nc;
  inputs.qop = qop;
  inputs.method = method;
  inputs.digest_uri = digest_uri;
  inputs.body = body;

  std::string value = fmt::format("Digest username={}, realm={}, nonce={}, uri={}, response=\"{}\", algorithm={}",
                                  quote(credentials.username), quote(realm), quote(nonce),
                                  quote(digest_uri), digest_response(inputs),
                                  digest_algorithm_name(*algorithm));
  if (!qop.empty()) value += fmt::format(", qop={}, nc={}, cnonce={}", qop, nc, quote(cnonce));
  if (!challenge.opaque.empty()) value += fmt::format(", opaque={}", challenge.opaque);
  return DigestAnswer{std::move(value)};
}

}  // namespace sippay::sip
