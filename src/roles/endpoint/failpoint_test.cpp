#include "roles/endpoint/failpoint.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

namespace sippay::roles {
namespace {

class FailpointTest : public ::testing::Test {
 protected:
  void TearDown() override {
    arm_failpoint("");
    unsetenv(kFailpointVariable);
  }
};

TEST_F(FailpointTest, NothingArmedByDefault) {
  unsetenv(kFailpointVariable);
  arm_failpoint_from_environment();
  EXPECT_FALSE(failpoint_armed());
  reach_failpoint("gateway-after-commit-payment-request");
  reach_failpoint("");
}

TEST_F(FailpointTest, OtherPointReturns) {
  arm_failpoint("merchant-after-commit-purchase");
  EXPECT_TRUE(failpoint_armed());
  reach_failpoint("merchant-after-commit-receipt");
  reach_failpoint("merchant-after-commit");
}

TEST_F(FailpointTest, ArmedPointKillsTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  arm_failpoint("gateway-after-commit-confirmation-ack");
  EXPECT_EXIT(reach_failpoint("gateway-after-commit-confirmation-ack"),
              ::testing::KilledBySignal(SIGKILL), "");
}

TEST_F(FailpointTest, EnvironmentArmsThePoint) {
  setenv(kFailpointVariable, "merchant-after-commit-purchase", 1);
  arm_failpoint_from_environment();
  EXPECT_TRUE(failpoint_armed());
  EXPECT_EXIT(reach_failpoint("merchant-after-commit-purchase"), ::testing::KilledBySignal(SIGKILL),
              "");
}

TEST_F(FailpointTest, EmptyVariableArmsNothing) {
  setenv(kFailpointVariable, "", 1);
  arm_failpoint_from_environment();
  EXPECT_FALSE(failpoint_armed());
}

}  // namespace
}  // namespace sippay::roles
