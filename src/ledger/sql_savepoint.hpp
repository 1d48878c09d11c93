// The SAVEPOINT wrapper of SqlLedgerTransaction, shared by its source files.
#pragma once

#include "ledger/sql_ledger_transaction.hpp"

namespace sippay::ledger {

template <class Operation>
auto SqlLedgerTransaction::in_savepoint(Operation&& operation) {
  connection_.execute("SAVEPOINT ledger_operation");
  try {
    if constexpr (std::is_void_v<decltype(operation())>) {
      operation();
      connection_.execute("RELEASE SAVEPOINT ledger_operation");
    } else {
      auto result = operation();
      connection_.execute("RELEASE SAVEPOINT ledger_operation");
      return result;
    }
  } catch (...) {
    // When the database itself ended the transaction (SQLite does so on
    // some I/O errors), there is no savepoint left to return to.
    if (connection_.in_transaction()) {
      connection_.execute("ROLLBACK TO SAVEPOINT ledger_operation");
      connection_.execute("RELEASE SAVEPOINT ledger_operation");
    }
    throw;
  }
}

}  // namespace sippay::ledger
