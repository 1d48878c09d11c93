// Reading a PIN for a command: from a file (first line), or typed on the
// terminal without echo. The PIN is returned to the caller only; nothing
// here prints or logs it.
#pragma once

#include <filesystem>
#include <string>

namespace sippay::app {

// The first line of `path` without its line end. Throws std::runtime_error
// naming the path when it cannot be read.
std::string read_pin_file(const std::filesystem::path& path);

// Asks for the PIN on the controlling terminal (/dev/tty) with echo off,
// showing `prompt`. Without a terminal it reads one line from standard
// input. Throws std::runtime_error when no line can be read.
std::string read_pin_without_echo(const std::string& prompt);

}  // namespace sippay::app
