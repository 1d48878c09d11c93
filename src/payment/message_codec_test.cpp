#include "payment/message_codec.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "payment/field_rules.hpp"
#include "payment/payment_test_support.hpp"

namespace sippay::payment {
namespace {

using namespace testing;

template <typename T>
void expect_round_trip(const T& message) {
  const std::string bytes = encode(message);
  const auto decoded = decode<T>(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string() << "\n" << bytes;
  EXPECT_EQ(decoded.value(), message);
  // Encoding is deterministic, so the same message always hashes the same.
  EXPECT_EQ(encode(decoded.value()), bytes);
  const auto any = decode_any(bytes);
  ASSERT_TRUE(any.ok()) << any.error().to_string();
  ASSERT_TRUE(std::holds_alternative<T>(any.value()));
  EXPECT_EQ(std::get<T>(any.value()), message);
}

TEST(MessageCodec, EveryTypeRoundTrips) {
  expect_round_trip(sample_order());
  expect_round_trip(sample_payment());
  expect_round_trip(sample_bundle());
  expect_round_trip(sample_purchase());
  expect_round_trip(sample_payment_request());
  expect_round_trip(sample_confirmation_request());
  expect_round_trip(sample_confirmation_ack());
  expect_round_trip(sample_receipt());
  expect_round_trip(sample_gateway_notice());
  expect_round_trip(sample_merchant_notice());
  expect_round_trip(sample_abort_request());
  expect_round_trip(sample_abort_answer());
  expect_round_trip(sample_state_inquiry());
  expect_round_trip(sample_state_answer());
  expect_round_trip(sample_history_inquiry());
  expect_round_trip(sample_history_answer());
}

TEST(MessageCodec, OrderBytesAreExact) {
  EXPECT_EQ(encode(sample_order()),
            R"({"type":"order","version":1,"purchase_id":"pid-0123456789abcdef",)"
            R"("merchant":"sip:shop@merchant.example","merchant_nonce":"nonce-0123456789abcdef",)"
            R"("item_id":"coffee-beans","quantity":2,"unit_price":1250,"amount":2500,)"
            R"("currency":"EUR","timestamp":"2026-12-05T01:02:03Z"})");
}

TEST(MessageCodec, OptionalMembersEncodeAsNull) {
  const std::string bytes = encode(sample_merchant_notice());
  EXPECT_NE(bytes.find(R"("transaction_id":null)"), std::string::npos) << bytes;
  EXPECT_NE(bytes.find(R"("detail":null)"), std::string::npos) << bytes;
}

TEST(MessageCodec, HashIsOverReceivedBytes) {
  // The same order with other whitespace decodes to the same value, but its
  // bytes, and so its hash, differ: receivers hash what they received.
  const std::string canonical = encode(sample_order());
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(canonical);
  const std::string spaced = json.dump(2);
  const auto decoded = decode<Order>(spaced);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded.value(), sample_order());
  EXPECT_NE(sha256(spaced), sha256(canonical));
  EXPECT_EQ(sha256(canonical), sha256(encode(sample_order())));
}

TEST(MessageCodec, DecodeAnyRejectsUnknownType) {
  const auto result = decode_any(R"({"type":"refund","version":1})");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "type");
  EXPECT_NE(result.error().message.find("refund"), std::string::npos);
}

TEST(MessageCodec, DecodeRejectsOtherType) {
  const auto result = decode<Receipt>(encode(sample_order()));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "type");
}

// Decodes `json` (built from a valid message and then altered) as T and
// expects an error naming `field`.
template <typename T>
void expect_rejected(const nlohmann::ordered_json& json, const std::string& field,
                     const std::string& why) {
  const std::string bytes = json.dump();
  const auto result = decode<T>(bytes);
  ASSERT_FALSE(result.ok()) << why << ": accepted " << bytes;
  EXPECT_EQ(result.error().field, field) << why << ": " << result.error().to_string();
  EXPECT_FALSE(result.error().message.empty());
  const auto any = decode_any(bytes);
  ASSERT_FALSE(any.ok()) << why;
  EXPECT_EQ(any.error().field, field) << why;
}

template <typename T>
nlohmann::ordered_json json_of(const T& message) {
  return nlohmann::ordered_json::parse(encode(message));
}

struct MemberCase {
  std::string why;
  std::string member;
  nlohmann::ordered_json value;  // replaces the member; discarded value removes it
};

TEST(MessageCodec, OrderMemberRejections) {
  const std::vector<MemberCase> cases = {
      {"version 2", "version", 2},
      {"version 0", "version", 0},
      {"version as string", "version", "1"},
      {"missing purchase_id", "purchase_id", nlohmann::ordered_json::value_t::discarded},
      {"null purchase_id", "purchase_id", nullptr},
      {"short purchase_id", "purchase_id", "abc"},
      {"long purchase_id", "purchase_id", std::string(65, 'a')},
      {"purchase_id with space", "purchase_id", "pid 0123456789abcdef"},
      {"merchant not a URI", "merchant", "shop at merchant"},
      {"merchant tel URI", "merchant", "tel:+4312345678"},
      {"merchant over 256 bytes", "merchant", "sip:" + std::string(260, 'a') + "@x.example"},
      {"amount as string", "amount", "2500"},
      {"amount as float", "amount", 2500.0},
      {"amount zero", "amount", 0},
      {"amount negative", "amount", -2500},
      {"amount above max", "amount", kMaxAmount + 1},
      {"amount above 2^63", "amount", std::uint64_t{1} << 63},
      {"quantity zero", "quantity", 0},
      {"quantity above max", "quantity", kMaxQuantity + 1},
      {"quantity as bool", "quantity", true},
      {"currency lower case", "currency", "eur"},
      {"currency four letters", "currency", "EURO"},
      {"currency as number", "currency", 978},
      {"timestamp with offset", "timestamp", "2026-12-05T01:02:03+01:00"},
      {"timestamp with fraction", "timestamp", "2026-12-05T01:02:03.5Z"},
      {"timestamp lower-case z", "timestamp", "2026-12-05T01:02:03z"},
      {"timestamp Feb 30", "timestamp", "2026-02-30T01:02:03Z"},
      {"timestamp leap second", "timestamp", "2026-12-31T23:59:60Z"},
      {"timestamp before 2000", "timestamp", "1999-12-31T23:59:59Z"},
      {"timestamp as number", "timestamp", 1764896523},
      {"item_id empty", "item_id", ""},
      {"merchant_nonce with slash", "merchant_nonce", "nonce/0123456789abcdef"},
  };
  for (const MemberCase& c : cases) {
    auto json = json_of(sample_order());
    if (c.value.is_discarded()) {
      json.erase(c.member);
    } else {
      json[c.member] = c.value;
    }
    expect_rejected<Order>(json, c.member, c.why);
  }
}

TEST(MessageCodec, RejectsUnknownMember) {
  auto json = json_of(sample_order());
  json["discount"] = 100;
  expect_rejected<Order>(json, "discount", "extra member");
}

TEST(MessageCodec, RejectsMissingType) {
  auto json = json_of(sample_order());
  json.erase("type");
  expect_rejected<Order>(json, "type", "missing type");
}

TEST(MessageCodec, RejectsAmountNotPriceTimesQuantity) {
  auto json = json_of(sample_order());
  json["amount"] = 2499;
  expect_rejected<Order>(json, "amount", "amount != unit_price * quantity");
}

TEST(MessageCodec, RejectsDuplicateMember) {
  const std::string bytes = R"({"type":"order","version":1,"version":2})";
  const auto result = decode<Order>(bytes);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "version");
  EXPECT_NE(result.error().message.find("duplicate"), std::string::npos);
}

TEST(MessageCodec, RejectsDuplicateAmountWithDifferentValues) {
  // Readers that keep the first or the last would disagree on the amount.
  std::string bytes = encode(sample_order());
  bytes.insert(bytes.size() - 1, R"(,"amount":1)");
  const auto result = decode<Order>(bytes);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "amount");
}

TEST(MessageCodec, RejectsOversizedMessage) {
  std::string bytes = encode(sample_order());
  bytes.insert(bytes.size() - 1, std::string(kMaxMessageBytes, ' '));
  const auto result = decode<Order>(bytes);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "");
  EXPECT_NE(result.error().message.find("exceeds"), std::string::npos);
}

TEST(MessageCodec, RejectsNonObjectsAndBadJson) {
  for (const std::string bytes :
       {"", "[]", "\"order\"", "null", "{", R"({"type":"order"} {})", "{\"type\":\"ord\xff\"}",
        "// comment\n{}", "\xef\xbb\xbf{}"}) {
    const auto result = decode_any(bytes);
    EXPECT_FALSE(result.ok()) << bytes;
  }
}

TEST(MessageCodec, PaymentRejectsBadPin) {
  for (const std::string pin : {"123", "1234567890123", "12a4", ""}) {
    auto json = json_of(sample_payment());
    json["pin"] = pin;
    const auto result = decode<PaymentInformation>(json.dump());
    ASSERT_FALSE(result.ok()) << pin;
    EXPECT_EQ(result.error().field, "pin");
    if (!pin.empty()) {
      EXPECT_EQ(result.error().to_string().find(pin), std::string::npos) << "PIN echoed";
    }
  }
}

TEST(MessageCodec, PurchaseRejectsBadEmbeddedOrder) {
  auto json = json_of(sample_purchase());
  Order order = sample_order();
  auto order_json = json_of(order);
  order_json["amount"] = 1;
  json["order"] = to_base64(order_json.dump());
  expect_rejected<Purchase>(json, "order.amount", "embedded OI with a wrong amount");
}

TEST(MessageCodec, PurchaseRejectsPurchaseIdMismatch) {
  auto json = json_of(sample_purchase());
  json["purchase_id"] = "pid-other-0123456789";
  expect_rejected<Purchase>(json, "purchase_id", "purchase_id differs from the OI's");
}

TEST(MessageCodec, PurchaseRejectsBadBase64AndSizes) {
  const std::vector<MemberCase> cases = {
      {"base64 without padding", "dual_signature", "MII"},
      {"base64 with newline", "dual_signature", "MIIB\nAA=="},
      {"base64 url alphabet", "dual_signature", "MI-_"},
      {"base64 non-zero pad bits", "dual_signature", "MIJ="},
      {"empty blob", "dual_signature", ""},
      {"oversized envelope", "payment_envelope",
       to_base64(std::string(kMaxPaymentEnvelopeBytes + 1, 'x'))},
      {"oversized signature", "dual_signature",
       to_base64(std::string(kMaxDualSignatureBytes + 1, 'x'))},
      {"hash upper-case", "payment_information_hash", std::string(64, 'A')},
      {"hash short", "payment_information_hash", std::string(63, 'a')},
      {"order not an OI", "order", to_base64("{}")},
  };
  for (const MemberCase& c : cases) {
    auto json = json_of(sample_purchase());
    json[c.member] = c.value;
    const std::string bytes = json.dump();
    const auto result = decode<Purchase>(bytes);
    ASSERT_FALSE(result.ok()) << c.why;
    EXPECT_EQ(result.error().field.substr(0, c.member.size()), c.member) << c.why;
  }
}

TEST(MessageCodec, BundleRejectsBadPaymentInformation) {
  auto json = json_of(sample_bundle());
  auto pi = json_of(sample_payment());
  pi["currency"] = "E";
  json["payment_information"] = to_base64(pi.dump());
  expect_rejected<PaymentBundle>(json, "payment_information.currency", "embedded PI");
}

TEST(MessageCodec, ConfirmationRequestExpiresAfterTimestamp) {
  auto json = json_of(sample_confirmation_request());
  json["expires"] = json["timestamp"];
  expect_rejected<ConfirmationRequest>(json, "expires", "expires == timestamp");
}

TEST(MessageCodec, ConfirmationAckRejectsUnknownDecision) {
  auto json = json_of(sample_confirmation_ack());
  json["decision"] = "maybe";
  expect_rejected<ConfirmationAck>(json, "decision", "unknown decision");
}

TEST(MessageCodec, GatewayNoticeNeedsAllIds) {
  auto json = json_of(sample_gateway_notice());
  json["transaction_id"] = nullptr;
  expect_rejected<FailureNotice>(json, "transaction_id", "gateway notice without txn");
  json = json_of(sample_gateway_notice());
  json["merchant_order_ref"] = nullptr;
  expect_rejected<FailureNotice>(json, "merchant_order_ref", "gateway notice without ref");
  json = json_of(sample_gateway_notice());
  json["next_nonce"] = "nonce-0123456789abcdef";
  expect_rejected<FailureNotice>(json, "next_nonce", "gateway notice with a nonce");
}

TEST(MessageCodec, NoticeReasonMustSuitIssuer) {
  auto json = json_of(sample_gateway_notice());
  json["reason"] = "sold-out";
  expect_rejected<FailureNotice>(json, "reason", "merchant reason from the gateway");
  json = json_of(sample_merchant_notice());
  json["reason"] = "wrong-pin";
  expect_rejected<FailureNotice>(json, "reason", "gateway reason from the merchant");
  json = json_of(sample_merchant_notice());
  json["reason"] = "no-reason";
  expect_rejected<FailureNotice>(json, "reason", "unknown reason");
  json = json_of(sample_merchant_notice());
  json["transaction_id"] = kTransactionId;
  expect_rejected<FailureNotice>(json, "transaction_id", "merchant notice with txn");
}

TEST(MessageCodec, NoticeDetailRejectsControlCharacters) {
  for (const std::string detail : {"line\nbreak", "bell\x07", "c1 \xc2\x85 control", ""}) {
    auto json = json_of(sample_gateway_notice());
    json["detail"] = detail;
    expect_rejected<FailureNotice>(json, "detail", "detail " + detail);
  }
  auto json = json_of(sample_gateway_notice());
  json["detail"] = "Kontostand zu niedrig: 10,00 €";
  EXPECT_TRUE(decode<FailureNotice>(json.dump()).ok());
}

TEST(MessageCodec, AbortAnswerRules) {
  auto json = json_of(sample_abort_answer());
  json["state"] = "pending";
  expect_rejected<AbortAnswer>(json, "state", "pending abort answer");
  json["state"] = "unknown";
  expect_rejected<AbortAnswer>(json, "state", "unknown abort answer");
  json = json_of(sample_abort_answer());
  json["state"] = "settled";
  json["transaction_id"] = nullptr;
  expect_rejected<AbortAnswer>(json, "transaction_id", "settled without txn");

  AbortAnswer remembered = sample_abort_answer();
  remembered.transaction_id.reset();
  expect_round_trip(remembered);
}

TEST(MessageCodec, StateInquiryNeedsAnId) {
  auto json = json_of(sample_state_inquiry());
  json["purchase_id"] = nullptr;
  expect_rejected<StateInquiry>(json, "", "inquiry without ids");
}

TEST(MessageCodec, StateAnswerRules) {
  auto json = json_of(sample_state_answer());
  json["expires"] = nullptr;
  expect_rejected<StateAnswer>(json, "expires", "pending without expires");

  json = json_of(sample_state_answer());
  json["state"] = "settled";
  expect_rejected<StateAnswer>(json, "expires", "settled with expires");

  json = json_of(sample_state_answer());
  json["state"] = "refused";
  json["expires"] = nullptr;
  expect_rejected<StateAnswer>(json, "reason", "refused without reason");

  json = json_of(sample_state_answer());
  json["amount"] = nullptr;
  expect_rejected<StateAnswer>(json, "amount", "pending without amount");

  json = json_of(sample_state_answer());
  json["state"] = "unknown";
  json["expires"] = nullptr;
  expect_rejected<StateAnswer>(json, "transaction_id", "unknown with txn");

  StateAnswer unknown;
  unknown.message_id = "msg-state-000000002";
  unknown.in_reply_to = "msg-inquiry-0000001";
  unknown.state = TransactionState::kUnknown;
  unknown.purchase_id = kPurchaseId;
  unknown.timestamp = sample_time();
  expect_round_trip(unknown);

  StateAnswer refused = sample_state_answer();
  refused.state = TransactionState::kRefused;
  refused.expires.reset();
  refused.reason = ReasonCode::kWrongPin;
  expect_round_trip(refused);
}

TEST(MessageCodec, HistoryRules) {
  auto json = json_of(sample_history_inquiry());
  json["limit"] = kMaxHistoryEntries + 1;
  expect_rejected<HistoryInquiry>(json, "limit", "limit above max");

  json = json_of(sample_history_answer());
  json["entries"][1]["state"] = "unknown";
  expect_rejected<HistoryAnswer>(json, "entries[1].state", "unknown entry");

  json = json_of(sample_history_answer());
  json["entries"][0]["amount"] = -1;
  expect_rejected<HistoryAnswer>(json, "entries[0].amount", "negative entry amount");

  json = json_of(sample_history_answer());
  json["entries"][0]["note"] = "x";
  expect_rejected<HistoryAnswer>(json, "entries[0].note", "unknown entry member");

  json = json_of(sample_history_answer());
  json["entries"][0]["updated_at"] = "2000-01-01T00:00:00Z";
  expect_rejected<HistoryAnswer>(json, "entries[0].updated_at", "updated before created");

  json = json_of(sample_history_answer());
  json["entries"] = nlohmann::ordered_json::array();
  for (int i = 0; i <= kMaxHistoryEntries; ++i) json["entries"].push_back(json_of(sample_history_answer())["entries"][0]);
  expect_rejected<HistoryAnswer>(json, "entries", "too many entries");

  json = json_of(sample_history_answer());
  json["entries"][0] = "not an object";
  expect_rejected<HistoryAnswer>(json, "entries[0]", "entry not an object");
}

TEST(MessageCodec, RejectsDeepNesting) {
  auto json = json_of(sample_history_answer());
  json["entries"][0]["state"] = nlohmann::ordered_json::array({nlohmann::ordered_json::array()});
  const auto result = decode<HistoryAnswer>(json.dump());
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("nesting"), std::string::npos)
      << result.error().to_string();
}

TEST(MessageCodec, EncodeThrowsOnInvalidMessage) {
  Order order = sample_order();
  order.amount = 1;
  EXPECT_THROW(encode(order), std::invalid_argument);
  order = sample_order();
  order.currency = "euro";
  EXPECT_THROW(encode(order), std::invalid_argument);
  order = sample_order();
  order.timestamp = UtcTime{};  // 1970
  EXPECT_THROW(encode(order), std::invalid_argument);
  FailureNotice notice = sample_gateway_notice();
  notice.detail = std::string("\xff\xfe", 2);
  EXPECT_THROW(encode(notice), std::invalid_argument);
}

TEST(MessageCodec, EncodeErrorNeverContainsPin) {
  PaymentInformation payment = sample_payment();
  payment.pin = "98765x";
  try {
    encode(payment);
    FAIL() << "a PIN with a letter was encoded";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()).find("98765"), std::string::npos) << error.what();
  }
}

TEST(ContentType, AcceptsTheMediaType) {
  EXPECT_FALSE(content_type_error("application/vnd.sippay.payment+json"));
  EXPECT_FALSE(content_type_error("application/vnd.sippay.payment+json;version=1"));
  EXPECT_FALSE(content_type_error("Application/VND.sippay.Payment+JSON ; version=\"1\""));
  EXPECT_FALSE(content_type_error(kContentType));
}

TEST(ContentType, RejectsOthers) {
  EXPECT_TRUE(content_type_error("application/json"));
  EXPECT_TRUE(content_type_error("application/vnd.sippay.payment+json;version=2"));
  EXPECT_TRUE(content_type_error("application/vnd.sippay.payment+json;charset=utf-8"));
  EXPECT_TRUE(content_type_error("not a media type"));
}

}  // namespace
}  // namespace sippay::payment
