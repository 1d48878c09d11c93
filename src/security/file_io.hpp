// Bounded file reads and atomic file writes for keys, certificates, CRLs
// and the PKI index.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "security/error.hpp"

namespace sippay::security {

enum class FileAccess {
  any,         // any mode
  owner_only,  // no read, write or execute bit for the group or others, as for private keys
};

// Reads a whole regular file. Fails with too_large when it has more than
// `max_bytes`, and with io when it cannot be opened or read or when its mode
// breaks `access`. The mode is checked on the descriptor that is read.
Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes,
                              FileAccess access = FileAccess::any);

// Writes `bytes` to a temporary file beside `path` created with `mode`,
// flushes it to disk and renames it over `path`. A reader sees either the
// old or the new file, and the file never has a wider mode than `mode`.
Status write_file_atomic(const std::filesystem::path& path, std::string_view bytes, mode_t mode);

}  // namespace sippay::security
