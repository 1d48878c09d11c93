#include "roles/endpoint/file_change_watcher.hpp"

#include <sys/stat.h>

#include <utility>

namespace sippay::roles {

FileChangeWatcher::FileChangeWatcher(asio::io_context& io, std::filesystem::path path,
                                     std::chrono::milliseconds interval, std::function<void()> on_change)
    : path_(std::move(path)), interval_(interval), on_change_(std::move(on_change)), timer_(io) {}

void FileChangeWatcher::start() {
  recorded_ = read_state(path_);
  running_ = true;
  schedule();
}

void FileChangeWatcher::stop() {
  running_ = false;
  timer_.cancel();
}

bool FileChangeWatcher::check() {
  const FileState state = read_state(path_);
  const bool changed = !same(state, recorded_);
  recorded_ = state;
  return changed;
}

FileChangeWatcher::FileState FileChangeWatcher::read_state(const std::filesystem::path& path) {
  struct stat info {};
  FileState state;
  if (::stat(path.c_str(), &info) != 0) return state;
  state.exists = true;
  state.device = info.st_dev;
  state.inode = info.st_ino;
  state.size = info.st_size;
  state.modified = info.st_mtim;
  return state;
}

bool FileChangeWatcher::same(const FileState& a, const FileState& b) {
  if (a.exists != b.exists) return false;
  if (!a.exists) return true;
  return a.device == b.device && a.inode == b.inode && a.size == b.size &&
         a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec;
}

void FileChangeWatcher::schedule() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](const std::error_code& error) {
    if (error || !running_) return;
    if (check()) on_change_();
    if (running_) schedule();
  });
}

}  // namespace sippay::roles
