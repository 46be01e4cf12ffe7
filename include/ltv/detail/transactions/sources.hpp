// SPDX-License-Identifier: Apache-2.0
// ltv/detail/transactions/sources.hpp — byte sources of the reading loop: a file and a
// std::istream, and a file's size (part of ltv/transactions.hpp).
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <istream>
#include <string>

#if defined(_WIN32)
#include <filesystem>
#include <system_error>
#else
#include <sys/stat.h>
#endif

#include "ltv/error.hpp"

namespace ltv {
namespace detail {

// Byte sources for the reader: read up to n bytes, 0 at the end.
struct file_source {
    std::FILE* f = nullptr;
    std::uint64_t total = 0;
    file_source(const std::string& path) {
        f = std::fopen(path.c_str(), "rb");
        if (f == nullptr)
            throw error(status::io_error,
                        "cannot open '" + path + "': " + std::strerror(errno));
        if (std::fseek(f, 0, SEEK_END) == 0) {
            const long size = std::ftell(f);
            if (size > 0) total = static_cast<std::uint64_t>(size);
            std::fseek(f, 0, SEEK_SET);
        }
    }
    file_source(const file_source&) = delete;
    file_source& operator=(const file_source&) = delete;
    ~file_source() {
        if (f != nullptr) std::fclose(f);
    }
    std::size_t read(char* dst, std::size_t n, const std::string& name) {
        const std::size_t got = std::fread(dst, 1, n, f);
        if (got < n && std::ferror(f))
            throw error(status::io_error, "error reading '" + name + "': " + std::strerror(errno));
        return got;
    }
};

/// The size of the file at path in bytes, 0 if it cannot be determined (the reader then finds
/// out, and reports any error, when it opens the file).
inline std::uint64_t file_size_or_zero(const std::string& path) noexcept {
#if defined(_WIN32)
    std::error_code ec;
    const auto n = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<std::uint64_t>(n);
#else
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    return static_cast<std::uint64_t>(st.st_size);
#endif
}

struct stream_source {
    std::istream& in;
    std::uint64_t total = 0;
    std::size_t read(char* dst, std::size_t n, const std::string& name) {
        if (!in.good()) {
            if (in.bad()) throw error(status::io_error, "error reading " + name);
            return 0;
        }
        in.read(dst, static_cast<std::streamsize>(n));
        if (in.bad()) throw error(status::io_error, "error reading " + name);
        return static_cast<std::size_t>(in.gcount());
    }
};

}  // namespace detail
}  // namespace ltv
