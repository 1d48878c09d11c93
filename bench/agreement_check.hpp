// The check that runs before timing: every library parses the sample
// message, and all of them read the same values from it.
#pragma once

#include <iosfwd>

namespace sippay::bench {

// Parses the sample with sippay (both paths), libosip2 and sofia-sip from a
// buffer that is not NUL-terminated, and compares every field each reads
// with the values written into the sample, so all four must agree. Prints
// each failure to `errors`. Returns true when there was none.
// REQUIRES: libosip2's parser_init() was called.
bool check_libraries_agree(std::ostream& errors);

}  // namespace sippay::bench
