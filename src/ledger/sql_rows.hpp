// Conversions between ledger records and SQL rows, and the checks of
// caller-supplied text, shared by the parts of SqlLedgerTransaction.
#pragma once

#include <string_view>

#include "ledger/records.hpp"
#include "ledger/sql.hpp"

namespace sippay::ledger::rows {

// The column lists that read_account and read_transfer expect, in order.
inline constexpr std::string_view kAccountColumns =
    "id, kind, owner_uri, currency, balance, debits_pending, credits_pending, status, created_at_ms";
inline constexpr std::string_view kTransferColumns =
    "id, kind, debit_account, credit_account, amount, currency, state, created_at_ms, expires_at_ms, "
    "settled_at_ms, void_reason, reference";

Account read_account(const sql::Statement& row);
Transfer read_transfer(const sql::Statement& row);

std::int64_t to_milliseconds(TimePoint time);
TimePoint from_milliseconds(std::int64_t milliseconds);

// Each throws LedgerError kInvalidArgument naming the value.
void check_account_id(std::string_view id);
void check_owner_uri(std::string_view uri);
void check_transfer_id(std::string_view id);
void check_text(std::string_view what, std::string_view text, std::size_t max_length);
void check_page_size(std::size_t limit);
// Throws kInvalidAmount unless amount > 0.
void check_amount(std::int64_t amount);

// The issuance account of a currency: "issuance:EUR".
std::string issuance_account_id(std::string_view currency);

}  // namespace sippay::ledger::rows
