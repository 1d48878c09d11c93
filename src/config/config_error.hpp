// The error every configuration reader throws.
#pragma once

#include <stdexcept>

namespace sippay::config {

// A configuration that cannot be used. The message names the file, the
// section and key when there is one, and what to do.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sippay::config
