#include "app/bench_crypto_floor.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

namespace sippay::app::bench {
namespace {

CryptoFloor floor_of(double sign_us, double open_us, double seal_us) {
  CryptoFloor floor;
  floor.cores = 2;
  floor.operations = {{Side::kCustomer, "sign", sign_us, sign_us, 10},
                      {Side::kMerchant, "open", open_us, open_us, 10},
                      {Side::kGateway, "seal", seal_us, seal_us, 10}};
  return floor;
}

TEST(CryptoFloorTest, FastestOfKeepsLowerCpuTime) {
  const CryptoFloor floor = fastest_of(floor_of(100, 500, 900), floor_of(120, 400, 1000));
  ASSERT_EQ(floor.operations.size(), 3u);
  EXPECT_DOUBLE_EQ(floor.operations[0].cpu_us, 100);
  EXPECT_DOUBLE_EQ(floor.operations[1].cpu_us, 400);
  EXPECT_DOUBLE_EQ(floor.operations[2].cpu_us, 900);
  EXPECT_DOUBLE_EQ(floor.total_cpu_us(), 1400);
  EXPECT_EQ(floor.cores, 2u);
  // 2 CPUs over 1.4 ms of crypto per purchase.
  EXPECT_NEAR(floor.purchases_per_second(), 2e6 / 1400, 1e-9);
}

TEST(CryptoFloorTest, FastestOfNeverBelowEither) {
  const CryptoFloor first = floor_of(100, 500, 900);
  const CryptoFloor second = floor_of(120, 400, 1000);
  const CryptoFloor floor = fastest_of(first, second);
  EXPECT_GE(floor.purchases_per_second(), first.purchases_per_second());
  EXPECT_GE(floor.purchases_per_second(), second.purchases_per_second());
  EXPECT_DOUBLE_EQ(floor.side_cpu_us(Side::kMerchant), 400);
}

TEST(CryptoFloorTest, FastestOfRejectsOtherOperations) {
  CryptoFloor renamed = floor_of(100, 500, 900);
  renamed.operations[1].name = "decrypt";
  EXPECT_THROW(fastest_of(floor_of(100, 500, 900), renamed), std::invalid_argument);

  CryptoFloor shorter = floor_of(100, 500, 900);
  shorter.operations.pop_back();
  EXPECT_THROW(fastest_of(floor_of(100, 500, 900), shorter), std::invalid_argument);

  CryptoFloor more_cores = floor_of(100, 500, 900);
  more_cores.cores = 4;
  EXPECT_THROW(fastest_of(floor_of(100, 500, 900), more_cores), std::invalid_argument);
}

}  // namespace
}  // namespace sippay::app::bench
