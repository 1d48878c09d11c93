#include "sip/header_name.hpp"

#include "sip/header_name_table.hpp"

namespace sippay::sip {

HeaderId lookup_header(std::string_view name) { return header_table::find_header_id(name); }

std::string_view canonical_name(HeaderId id) {
  return header_table::kSpellings[static_cast<std::size_t>(id)].name;
}

char compact_form(HeaderId id) {
  return header_table::kSpellings[static_cast<std::size_t>(id)].compact;
}

}  // namespace sippay::sip
