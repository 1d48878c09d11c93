#include "security/mime_entity.hpp"

#include <gtest/gtest.h>

namespace sippay::security {
namespace {

CmsFailure entity_failure(std::string_view text, const MimeLimits& limits = {}) {
  const auto result = parse_mime_entity(text, limits);
  if (result.ok()) return CmsFailure::internal;
  return result.error().failure;
}

TEST(MimeEntity, RoundTrip) {
  const MimeEntity entity{{{"Content-Type", "text/plain"}, {"Content-ID", "<1@pay.test>"}},
                          std::string("line 1\r\n\0binary", 15)};
  const std::string text = write_mime_entity(entity);
  EXPECT_EQ(text.substr(0, 56), "Content-Type: text/plain\r\nContent-ID: <1@pay.test>\r\n\r\nli");
  const auto parsed = parse_mime_entity(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed.value().body, entity.body);
  EXPECT_EQ(parsed.value().header("content-type"), "text/plain");
  EXPECT_EQ(parsed.value().header("CONTENT-ID"), "<1@pay.test>");
}

TEST(MimeEntity, RejectsFoldedHeader) {
  EXPECT_EQ(entity_failure("Content-Type: text/plain\r\n ; charset=utf-8\r\n\r\nx"),
            CmsFailure::malformed_mime);
}

TEST(MimeEntity, RejectsBareLf) {
  EXPECT_EQ(entity_failure("Content-Type: text/plain\nX: y\r\n\r\nx"), CmsFailure::malformed_mime);
}

TEST(MimeEntity, RejectsMissingBlankLine) {
  EXPECT_EQ(entity_failure("Content-Type: text/plain\r\n"), CmsFailure::malformed_mime);
}

TEST(MimeEntity, RejectsMissingContentType) {
  EXPECT_EQ(entity_failure("Content-ID: <1@x>\r\n\r\nx"), CmsFailure::malformed_mime);
}

TEST(MimeEntity, RejectsBase64TransferEncoding) {
  EXPECT_EQ(entity_failure("Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\neA=="),
            CmsFailure::unsupported_media_type);
}

TEST(MimeEntity, RejectsTooManyHeaderFields) {
  MimeLimits limits;
  limits.max_header_fields = 2;
  EXPECT_EQ(entity_failure("Content-Type: a/b\r\nA: 1\r\nB: 2\r\n\r\n", limits),
            CmsFailure::malformed_mime);
}

TEST(MimeEntity, RejectsLongHeaderLine) {
  MimeLimits limits;
  limits.max_line_bytes = 20;
  EXPECT_EQ(entity_failure("Content-Type: application/octet-stream\r\n\r\n", limits),
            CmsFailure::malformed_mime);
}

TEST(MimeEntity, RejectsOversizedEntity) {
  MimeLimits limits;
  limits.max_input_bytes = 10;
  EXPECT_EQ(entity_failure("Content-Type: a/b\r\n\r\n", limits), CmsFailure::input_too_large);
}

TEST(MimeMultipart, RoundTrip) {
  const std::vector<MimeEntity> parts{{{{"Content-Type", "text/plain"}}, "order"},
                                      {{{"Content-Type", "application/json"}}, "{\"a\":1}\r\n"}};
  const std::string boundary = make_multipart_boundary(parts);
  EXPECT_EQ(boundary.size(), 32U);
  const std::string body = write_multipart(parts, boundary);
  const auto parsed = parse_multipart(body, boundary);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  ASSERT_EQ(parsed.value().size(), 2U);
  EXPECT_EQ(parsed.value()[0].body, "order");
  EXPECT_EQ(parsed.value()[1].body, "{\"a\":1}\r\n");
  EXPECT_EQ(parsed.value()[1].header("Content-Type"), "application/json");
}

TEST(MimeMultipart, RejectsPreamble) {
  const auto result = parse_multipart("hello\r\n--b\r\nContent-Type: a/b\r\n\r\nx\r\n--b--", "b");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().failure, CmsFailure::malformed_mime);
}

TEST(MimeMultipart, RejectsMissingCloseDelimiter) {
  const auto result = parse_multipart("--b\r\nContent-Type: a/b\r\n\r\nx\r\n--b\r\n", "b");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().failure, CmsFailure::malformed_mime);
}

TEST(MimeMultipart, RejectsEpilogue) {
  const auto result = parse_multipart("--b\r\nContent-Type: a/b\r\n\r\nx\r\n--b--\r\ntrailer", "b");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().failure, CmsFailure::malformed_mime);
}

TEST(MimeMultipart, RejectsTooManyParts) {
  MimeLimits limits;
  limits.max_parts = 2;
  const std::vector<MimeEntity> parts(3, MimeEntity{{{"Content-Type", "text/plain"}}, "x"});
  const auto result = parse_multipart(write_multipart(parts, "b"), "b", limits);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().failure, CmsFailure::malformed_mime);
}

TEST(MimeMultipart, RejectsInvalidBoundary) {
  EXPECT_FALSE(parse_multipart("--\r\n", "").ok());
  EXPECT_FALSE(parse_multipart("x", std::string(71, 'b')).ok());
}

TEST(MimeMediaType, ParsesParameters) {
  const auto media = parse_media_type(" Multipart/Mixed; Boundary=\"a b\" ");
  ASSERT_TRUE(media.ok()) << media.error().to_string();
  EXPECT_EQ(media.value().type, "multipart");
  EXPECT_EQ(media.value().subtype, "mixed");
  EXPECT_EQ(media.value().parameter("boundary"), "a b");
}

TEST(MimeMediaType, RejectsInvalidValue) {
  const auto media = parse_media_type("text");
  ASSERT_FALSE(media.ok());
  EXPECT_EQ(media.error().failure, CmsFailure::malformed_mime);
}

}  // namespace
}  // namespace sippay::security
