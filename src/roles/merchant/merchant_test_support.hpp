// Helpers for the merchant tests: a temporary folder for SQLite files, a
// small catalog and an order.
#pragma once

#include <string>
#include <vector>

#include "payment/messages.hpp"

#include "roles/merchant/merchant_catalog.hpp"
#include "security/security_test_support.hpp"

namespace sippay::roles::merchant::testing {

using TempFolder = security::testing::TempDir;

// Coffee beans at 12.50 EUR with 5 in stock, and one tea at 4.00 EUR.
inline std::vector<CatalogEntry> sample_catalog() {
  return {CatalogEntry{"coffee-beans", "Coffee beans, 1 kg", 1250, "EUR", 5},
          CatalogEntry{"tea", "Green tea", 400, "EUR", 1}};
}

// An order of 2 coffee beans at 12.50 EUR for `merchant`, carrying `nonce`.
inline payment::Order sample_order(const std::string& merchant, const std::string& nonce,
                                   payment::UtcTime timestamp) {
  payment::Order order;
  order.purchase_id = "pid-0123456789abcdef";
  order.merchant = merchant;
  order.merchant_nonce = nonce;
  order.item_id = "coffee-beans";
  order.quantity = 2;
  order.unit_price = 1250;
  order.amount = 2500;
  order.currency = "EUR";
  order.timestamp = timestamp;
  return order;
}

}  // namespace sippay::roles::merchant::testing
