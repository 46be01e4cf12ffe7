// SPDX-License-Identifier: Apache-2.0
// fuzz_reader — the transaction reader (ltv/transactions.hpp) on arbitrary text.
//
// Input: two option bytes, then the text.
//   byte 0  bits 0-2 delimiter (detect , ; TAB | blank detect ,)   bit 3 no header
//           bit 4 lenient   bit 5 quote ' instead of "
//           bits 6-7 dates: automatic, iso, iso_datetime, custom "%d/%m/%Y"
//   byte 1  bits 0-5 block size of the file read (1..64)
//           bits 6-7 columns: 0 by name customer_id, date, amount and quantity if present;
//             1 by name id, date (no amount, as tests/data/example_transactions.csv);
//             2 by name customer_id, date, dollar_value, number_of_cds (CDNOW_master.txt);
//             3 by position 1, 3, 5, 4 (customer, date, amount, quantity; CDNOW_sample.txt)
// Checks:
//   1. never a crash or an exception other than ltv::error;
//   2. the in-memory reader (read_transactions_text), the stream reader (std::istringstream) with
//      read_options::block_size 1..64 (texts up to 64 bytes; longer ones: 1, 2, 3, 64 and two
//      sizes drawn from the text) and 8 KiB (> max_len) or, for one input in 16, the 1 MiB
//      default, and the file reader (block size from byte 1; on one thread and with
//      read_options::threads = 2) all give the same rows (customer
//      bytes, day, amount and quantity bits, line), the same report, and on failure the same
//      status and message after the same rows;
//   3. on success, against the independent record splitter of reference_csv.hpp (a byte-by-byte
//      state machine): every non-blank record after the header is delivered or counted as
//      skipped (no row silently lost); a delivered row's customer is the bytes of its record's
//      customer field; its amount and quantity are the bits strtod gives for the field; with a
//      header, a delivered row has no non-empty field beyond the header's (issue 8, D6).
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "ltv/transactions.hpp"
#include "reference_csv.hpp"

namespace {

using ltv_fuzz::ref_record;
using ltv_fuzz::ref_split;
using ltv_fuzz::same_bits;
using ltv_fuzz::split_reference;
using ltv_fuzz::strtod_whole;

struct row_copy {
    std::string customer;
    ltv::day_number day;
    double amount;
    double quantity;
    std::uint64_t line;
};

struct outcome {
    std::vector<row_copy> rows;  // delivered before the end (or before the error)
    bool ok = false;
    ltv::read_report report;
    ltv::status code = ltv::status::ok;
    std::string message;
};

ltv::read_options make_options(std::uint8_t b0, std::uint8_t b1) {
    ltv::read_options o;
    static const char delims[8] = {0, ',', ';', '\t', '|', ' ', 0, ','};
    o.delimiter = delims[b0 & 7];
    o.header = (b0 & 8) == 0;
    o.lenient = (b0 & 16) != 0;
    o.quote = (b0 & 32) ? '\'' : '"';
    switch (b0 >> 6) {
        case 0:
            o.dates = ltv::date_format::automatic;
            break;
        case 1:
            o.dates = ltv::date_format::iso;
            break;
        case 2:
            o.dates = ltv::date_format::iso_datetime;
            break;
        default:
            o.dates = ltv::date_spec::custom("%d/%m/%Y");
            break;
    }
    switch (b1 >> 6) {
        case 0:
            o.quantity = ltv::column_ref::optional("quantity");
            break;
        case 1:
            o.customer = "id";
            o.amount = ltv::column_ref::none();
            break;
        case 2:
            o.amount = "dollar_value";
            o.quantity = "number_of_cds";
            break;
        default:
            o.customer = ltv::column_ref::at(0);
            o.date = ltv::column_ref::at(2);
            o.amount = ltv::column_ref::at(4);
            o.quantity = ltv::column_ref::at(3);
            break;
    }
    o.max_reported_errors = 5;
    return o;
}

template <class Read>
outcome run(Read&& read) {
    outcome out;
    auto visit = [&](const ltv::transaction_row& r) {
        out.rows.push_back({std::string(r.customer), r.day, r.amount, r.quantity, r.line});
    };
    out.ok = ltv_fuzz::run_guarded([&] { out.report = read(visit); }, &out.code, &out.message);
    return out;
}

void require_same(const outcome& a, const outcome& b, const std::string& what) {
    const std::string ctx = what + " vs read_transactions_text: ";
    LTV_FUZZ_CHECK(a.ok == b.ok, ctx + "success differs (" + (a.ok ? "ok" : a.message) + " | " +
                                     (b.ok ? "ok" : b.message) + ")");
    if (!a.ok) {
        LTV_FUZZ_CHECK(a.code == b.code, ctx + "status differs: " + a.message + " | " + b.message);
        LTV_FUZZ_CHECK(a.message == b.message,
                       ctx + "message differs: " + a.message + " | " + b.message);
    }
    LTV_FUZZ_CHECK(a.rows.size() == b.rows.size(), ctx + "row count " +
                                                       std::to_string(a.rows.size()) + " vs " +
                                                       std::to_string(b.rows.size()));
    for (std::size_t i = 0; i < a.rows.size(); ++i) {
        const row_copy &x = a.rows[i], &y = b.rows[i];
        LTV_FUZZ_CHECK(
            x.customer == y.customer && x.day == y.day && same_bits(x.amount, y.amount) &&
                same_bits(x.quantity, y.quantity) && x.line == y.line,
            ctx + "row " + std::to_string(i) + " differs: '" + ltv_fuzz::printable(x.customer) +
                "' line " + std::to_string(x.line) + " vs '" + ltv_fuzz::printable(y.customer) +
                "' line " + std::to_string(y.line));
    }
    if (!a.ok) return;
    const ltv::read_report &r = a.report, &s = b.report;
    LTV_FUZZ_CHECK(r.rows == s.rows && r.skipped == s.skipped && r.blank_lines == s.blank_lines &&
                       r.lines == s.lines && r.bytes == s.bytes && r.delimiter == s.delimiter &&
                       r.header == s.header && r.customer_column == s.customer_column &&
                       r.date_column == s.date_column && r.amount_column == s.amount_column &&
                       r.quantity_column == s.quantity_column,
                   ctx + "reports differ (rows " + std::to_string(r.rows) + "/" +
                       std::to_string(s.rows) + ", skipped " + std::to_string(r.skipped) + "/" +
                       std::to_string(s.skipped) + ", blank " + std::to_string(r.blank_lines) +
                       "/" + std::to_string(s.blank_lines) + ", lines " + std::to_string(r.lines) +
                       "/" + std::to_string(s.lines) + ")");
    LTV_FUZZ_CHECK(r.errors.size() == s.errors.size(), ctx + "reported errors differ");
    for (std::size_t i = 0; i < r.errors.size(); ++i)
        LTV_FUZZ_CHECK(
            r.errors[i].line == s.errors[i].line && r.errors[i].message == s.errors[i].message,
            ctx + "reported error differs: " + r.errors[i].message + " | " + s.errors[i].message);
}

void check_against_reference(std::string_view text, const ltv::read_options& o,
                             const outcome& got) {
    if (!got.ok) return;
    const ltv::read_report& rep = got.report;
    const ref_split ref = split_reference(text, rep.delimiter, o.quote);
    if (!ref.well_formed) return;
    LTV_FUZZ_CHECK(rep.blank_lines == ref.blank, "blank lines: reader " +
                                                     std::to_string(rep.blank_lines) +
                                                     ", reference " + std::to_string(ref.blank));
    std::size_t first = 0;
    std::size_t header_fields = static_cast<std::size_t>(-1);
    if (o.header && !ref.records.empty()) {
        header_fields = ref.records[0].fields.size();
        first = 1;
    }
    const std::size_t data_records = ref.records.size() - first;
    LTV_FUZZ_CHECK(rep.rows + rep.skipped == data_records,
                   "rows lost: " + std::to_string(data_records) + " data records, " +
                       std::to_string(rep.rows) + " delivered + " + std::to_string(rep.skipped) +
                       " skipped");
    std::size_t k = first;
    for (const row_copy& row : got.rows) {
        while (k < ref.records.size() && ref.records[k].line < row.line) ++k;
        LTV_FUZZ_CHECK(k < ref.records.size() && ref.records[k].line == row.line,
                       "a row delivered at line " + std::to_string(row.line) +
                           " where the reference has no record");
        const ref_record& rec = ref.records[k++];
        const auto& f = rec.fields;
        LTV_FUZZ_CHECK(
            rep.customer_column < f.size() && f[rep.customer_column] == row.customer,
            "line " + std::to_string(row.line) + ": customer '" +
                ltv_fuzz::printable(row.customer) + "' but the field is '" +
                (rep.customer_column < f.size() ? ltv_fuzz::printable(f[rep.customer_column])
                                                : std::string("<missing>")) +
                "'");
        const std::size_t cols[2] = {rep.amount_column, rep.quantity_column};
        const double vals[2] = {row.amount, row.quantity};
        for (int c = 0; c < 2; ++c) {
            if (cols[c] == ltv::column_ref::npos) continue;
            LTV_FUZZ_CHECK(cols[c] < f.size(), "a numeric field is missing");
            const auto want = strtod_whole(f[cols[c]]);
            LTV_FUZZ_CHECK(want && same_bits(*want, vals[c]),
                           "line " + std::to_string(row.line) + ": number '" +
                               ltv_fuzz::printable(f[cols[c]]) + "' read as " +
                               std::to_string(vals[c]));
        }
        // D6: a field beyond the header's columns means the row was split wrongly ("1,5" as
        // amount 1 and an ignored "5"); it must not be delivered as a valid row.
        if (header_fields != static_cast<std::size_t>(-1))
            for (std::size_t c = header_fields; c < f.size(); ++c)
                LTV_FUZZ_CHECK(f[c].empty(),
                               "line " + std::to_string(row.line) + ": field " +
                                   std::to_string(c + 1) + " ('" + ltv_fuzz::printable(f[c]) +
                                   "') beyond the header's " + std::to_string(header_fields) +
                                   " columns, yet the row was accepted");
    }
}

/// A memory file (no disk traffic), rewritten for every input; opened by path.
struct memory_file {
    int fd = -1;
    std::string path;
    memory_file() {
        fd = memfd_create("ltv_fuzz_reader", 0);
        if (fd < 0) ltv_fuzz::finding("memfd_create failed");
        path = "/proc/self/fd/" + std::to_string(fd);
    }
    void write(std::string_view text) {
        if (ftruncate(fd, 0) != 0) ltv_fuzz::finding("ftruncate failed");
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t w =
                pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
            if (w <= 0) ltv_fuzz::finding("pwrite failed");
            done += static_cast<std::size_t>(w);
        }
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    ltv::read_options opt;
    if (!ltv_fuzz::run_guarded([&] { opt = make_options(data[0], data[1]); })) return 0;
    const std::string_view text = ltv_fuzz::as_text(data + 2, size - 2);

    // One source name for all three readers, so that their messages must be equal as they are.
    static memory_file file;
    const std::string& name = file.path;
    const outcome whole =
        run([&](auto& visit) { return ltv::read_transactions_text(text, opt, visit, name); });

    // The stream reader: every block size 1..64 for short texts (up to 64 bytes: a block
    // boundary then falls at every position), for longer ones 1, 2, 3, 64 and two sizes drawn
    // from the text's hash (the fuzzer's mutations vary them; all 64 for every input would cost
    // most of the throughput: 66 reads, each a throw on most inputs).
    const std::string copy(text);
    auto stream_with = [&](std::size_t block) {
        ltv::read_options o = opt;
        o.block_size = block;
        std::istringstream in(copy);
        return run([&](auto& visit) { return ltv::read_transactions(in, o, visit, name); });
    };
    std::vector<std::size_t> blocks;
    const std::uint32_t h = ltv::customer_ids::hash(text);
    if (text.size() <= 64) {
        for (std::size_t b = 1; b <= 64; ++b) blocks.push_back(b);
    } else {
        blocks = {1, 2, 3, 64, std::size_t(1) + (h & 63), std::size_t(1) + ((h >> 8) & 63)};
    }
    // Larger than any input (one read, then the end), as the 1 MiB default is; the default
    // itself for every 16th input only: zero-filling 1 MiB per input would take most of the time.
    blocks.push_back((h >> 16) % 16 == 0 ? std::size_t(1) << 20 : std::size_t(1) << 13);
    for (const std::size_t block : blocks)
        require_same(whole, stream_with(block), "stream, block_size " + std::to_string(block));

    // The file reader.
    file.write(text);
    {
        ltv::read_options o = opt;
        o.block_size = 1 + (data[1] & 63);
        const outcome f =
            run([&](auto& visit) { return ltv::read_transactions(file.path, o, visit); });
        require_same(whole, f, "file, block_size " + std::to_string(o.block_size));
        // The background reader of read_options::threads (decoding on a second thread).
        o.threads = 2;
        const outcome two =
            run([&](auto& visit) { return ltv::read_transactions(file.path, o, visit); });
        require_same(whole, two, "file, threads 2, block_size " + std::to_string(o.block_size));
    }

    check_against_reference(text, opt, whole);
    return 0;
}
