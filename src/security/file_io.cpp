#include "security/file_io.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace sippay::security {
namespace {

Error io_error(std::string_view what, const std::filesystem::path& path, int error_number) {
  return Error{ErrorCode::io, fmt::format("{} {}: {}", what, path.string(), std::strerror(error_number))};
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

std::string temporary_name(const std::filesystem::path& path) {
  std::random_device random;
  return fmt::format("{}.tmp-{:08x}", path.filename().string(), random());
}

}  // namespace

Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes, FileAccess access) {
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) return io_error("cannot open", path, errno);
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) return io_error("cannot stat", path, errno);
  if (!S_ISREG(status.st_mode)) {
    return Error{ErrorCode::io, fmt::format("{} is not a regular file", path.string())};
  }
  if (access == FileAccess::owner_only && (status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Error{ErrorCode::io,
                 fmt::format("{} has mode {:04o}, so the group or others may read it; run `chmod 600 {}` "
                             "and replace the key if others could have copied it",
                             path.string(), status.st_mode & 07777, path.string())};
  }
  const auto size = static_cast<std::size_t>(status.st_size);
  if (size > max_bytes) {
    return Error{ErrorCode::too_large,
                 fmt::format("{} has {} bytes, more than the limit of {}", path.string(), size, max_bytes)};
  }

  // One byte more than the size shows whether the file grew meanwhile.
  std::string bytes(size + 1, '\0');
  std::size_t used = 0;
  while (used < bytes.size()) {
    const ssize_t got = ::read(file.get(), bytes.data() + used, bytes.size() - used);
    if (got < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path, errno);
    }
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  if (used > size) {
    return Error{ErrorCode::io, fmt::format("{} changed while being read; try again", path.string())};
  }
  bytes.resize(used);
  return bytes;
}

Status write_file_atomic(const std::filesystem::path& path, std::string_view bytes, mode_t mode) {
  const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : ".";
  const std::filesystem::path temporary = directory / temporary_name(path);

  FileDescriptor file(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (file.get() < 0) return io_error("cannot create", temporary, errno);
  // The umask may have narrowed `mode`; fchmod sets it exactly, never wider than requested.
  if (::fchmod(file.get(), mode) != 0 || !write_all(file.get(), bytes) || ::fsync(file.get()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    return io_error("cannot write", temporary, saved);
  }
  if (::close(file.release()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    return io_error("cannot write", temporary, saved);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    return io_error("cannot rename into", path, saved);
  }

  // Flush the directory entry too, so the rename survives a crash.
  FileDescriptor directory_fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory_fd.get() >= 0) ::fsync(directory_fd.get());
  return ok_status();
}

}  // namespace sippay::security
