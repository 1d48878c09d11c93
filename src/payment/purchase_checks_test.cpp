#include "payment/purchase_checks.hpp"

#include <gtest/gtest.h>

#include "payment/payment_test_support.hpp"

namespace sippay::payment {
namespace {

using namespace testing;

TEST(PurchaseChecks, SamplePartsAgree) {
  EXPECT_FALSE(order_payment_mismatch(sample_order(), sample_payment()));
  EXPECT_FALSE(request_payment_mismatch(sample_payment_request(), sample_payment()));
  EXPECT_FALSE(request_order_mismatch(sample_payment_request(), sample_order()));
  EXPECT_FALSE(ack_request_mismatch(sample_confirmation_ack(), sample_confirmation_request()));
}

TEST(PurchaseChecks, OrderAndPaymentMustAgree) {
  const struct {
    const char* member;
    void (*alter)(PaymentInformation&);
  } cases[] = {
      {"purchase_id", [](PaymentInformation& p) { p.purchase_id = "pid-other-0123456789"; }},
      {"amount", [](PaymentInformation& p) { p.amount += 1; }},
      {"currency", [](PaymentInformation& p) { p.currency = "USD"; }},
      {"merchant", [](PaymentInformation& p) { p.merchant = "sip:other@merchant.example"; }},
  };
  for (const auto& c : cases) {
    PaymentInformation payment = sample_payment();
    c.alter(payment);
    const auto order_error = order_payment_mismatch(sample_order(), payment);
    ASSERT_TRUE(order_error) << c.member;
    EXPECT_EQ(order_error->rfind(c.member, 0), 0u) << *order_error;
    const auto request_error = request_payment_mismatch(sample_payment_request(), payment);
    ASSERT_TRUE(request_error) << c.member;
    EXPECT_EQ(request_error->rfind(c.member, 0), 0u) << *request_error;
  }
}

TEST(PurchaseChecks, MismatchNeverNamesPin) {
  PaymentInformation payment = sample_payment();
  payment.amount = 1;
  const auto error = request_payment_mismatch(sample_payment_request(), payment);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->find(payment.pin), std::string::npos);
}

TEST(PurchaseChecks, RequestMustRepeatOrder) {
  PaymentRequest request = sample_payment_request();
  request.amount = 1;
  EXPECT_TRUE(request_order_mismatch(request, sample_order()));
}

TEST(PurchaseChecks, AckMustAnswerItsRequest) {
  ConfirmationAck ack = sample_confirmation_ack();
  ack.transaction_id = "txn-other-0123456789";
  EXPECT_TRUE(ack_request_mismatch(ack, sample_confirmation_request()));
  ack = sample_confirmation_ack();
  ack.purchase_id = "pid-other-0123456789";
  EXPECT_TRUE(ack_request_mismatch(ack, sample_confirmation_request()));
}

}  // namespace
}  // namespace sippay::payment
