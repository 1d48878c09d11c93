// Helpers for the merchant tests: a temporary folder for SQLite files and a
// small catalog.
#pragma once

#include <vector>

#include "roles/merchant/merchant_catalog.hpp"
#include "security/security_test_support.hpp"

namespace sippay::roles::merchant::testing {

using TempFolder = security::testing::TempDir;

// Coffee beans at 12.50 EUR with 5 in stock, and one tea at 4.00 EUR.
inline std::vector<CatalogEntry> sample_catalog() {
  return {CatalogEntry{"coffee-beans", "Coffee beans, 1 kg", 1250, "EUR", 5},
          CatalogEntry{"tea", "Green tea", 400, "EUR", 1}};
}

}  // namespace sippay::roles::merchant::testing
