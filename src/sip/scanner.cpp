#include "sip/scanner.hpp"

namespace sippay::sip {

std::string unquote(std::string_view quoted) {
  if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"') {
    return std::string(quoted);
  }
  std::string out;
  out.reserve(quoted.size() - 2);
  for (std::size_t i = 1; i + 1 < quoted.size(); ++i) {
    if (quoted[i] == '\\' && i + 2 < quoted.size()) ++i;
    out.push_back(quoted[i]);
  }
  return out;
}

std::string collapse_lws(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  std::size_t i = 0;
  while (i < value.size()) {
    if (!charset::is_ws(value[i]) && value[i] != '\r') {
      out.push_back(value[i++]);
      continue;
    }
    // A run of whitespace: replaced by one space only when it holds a fold.
    const std::size_t start = i;
    bool folded = false;
    while (i < value.size() && (charset::is_ws(value[i]) || value[i] == '\r' || value[i] == '\n')) {
      folded = folded || value[i] == '\n';
      ++i;
    }
    if (folded) {
      out.push_back(' ');
    } else {
      out.append(value.substr(start, i - start));
    }
  }
  return out;
}

}  // namespace sippay::sip
