// Random operations on the SQLite ledger, several seeds.
#include <gtest/gtest.h>

#include "ledger/ledger_property.hpp"

namespace sippay::ledger {
namespace {

using namespace testing;

class LedgerProperty : public ::testing::TestWithParam<unsigned> {};

TEST_P(LedgerProperty, RandomOperationsKeepInvariants) {
  TemporaryFolder folder;
  TestClock clock;
  auto ledger = open_ledger(folder.file("ledger.db"), clock);
  run_random_operations(*ledger, clock, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Seeds, LedgerProperty, ::testing::Values(1u, 2u, 3u, 42u, 2026u));

}  // namespace
}  // namespace sippay::ledger
