// SPDX-License-Identifier: Apache-2.0
// ltv/segments.hpp — one model per segment (store, country, channel …) fitted and scored in one
// call (docs/segments.md).
//
// A segmented model holds, for every segment label found in the data, a model of one registered
// kind fitted on that segment's customers alone; each customer is scored by its own segment's
// model. Everything here is generic over the model registry (ltv/registry.hpp): the data a kind
// is fitted on (rfm or spend columns) and the capability asked for choose the kernel, as
// ltv_model_fit_summary / ltv_model_score_summary do for one model.
//
//  - Labels are UTF-8 byte strings, one per customer row, passed packed as the C API passes
//    customer ids (chars + n + 1 offsets; segment_labels) or as a vector of strings
//    (packed_labels). An empty label or one that is not valid UTF-8 is an error naming its row.
//  - Segments are ordered by label (byte order), so the result and its JSON do not depend on the
//    order of the rows; each segment's model is fitted on its rows in their input order, with
//    the same fit_options and the prototype's kind, options set by name ("fix.<parameter>",
//    structural options) and time unit: exactly the model a fit of that subset alone gives.
//  - Segments are fitted concurrently on ltv's pool (segment_options::threads; ltv/threads.hpp);
//    a fit inside a segment then runs its own batches on the calling thread. Results and the
//    error reported do not depend on the number of threads: when several segments fail, the
//    first in label order is reported.
//  - A segment with fewer than segment_options::min_customers rows is an error naming the
//    segment, its size and the minimum — unless a pooled model is asked for (pooled = true):
//    then small segments get no model of their own and their customers, like customers of any
//    label the fit did not see, are scored by the pooled model, fitted on all rows. A segment
//    whose fit fails is an error naming the segment and its size (the fit's status code kept).
//  - Scoring: a label without a model and without a pooled model is invalid_argument naming the
//    row and the label. A row's error names the row of the input (not of the segment).
//  - CLV (clv_segments): each customer's transaction model is its segment's (as for scoring);
//    its spend model either one spend model for all, or its segment's model of a segmented
//    spend model (same labels; a label without one: the spend segments' pooled model, else
//    invalid_argument naming the row and the label). Rows are grouped by the pair of models and
//    each group is one batch of the registry's clv kernel: exactly what ltv_customer_lifetime_value
//    gives on that subset.
//
// JSON format ("ltv-segments", version 1):
//   { "format": "ltv-segments", "format_version": 1, "ltv_version": "0.2.5", "model": "bgnbd",
//     "segment_column": "store",               // optional: where the labels came from
//     "min_customers": 1,
//     "segments": [ {"label": "north", "customers": 1204, "model": {…an ltv-model document…}},
//                   … ],                       // ascending byte order of label, labels unique
//     "pooled": {"customers": 2357, "model": {…}} }   // only with a pooled model
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ltv/array_view.hpp"
#include "ltv/clv.hpp"
#include "ltv/clv_options.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/error.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/model_state.hpp"
#include "ltv/model_traits.hpp"
#include "ltv/registry.hpp"
#include "ltv/rfm_data.hpp"
#include "ltv/version.hpp"

namespace ltv {

/// One segment label per customer row, packed: label i is chars[offsets[i] .. offsets[i + 1]),
/// so `offsets` has size() + 1 non-decreasing entries (the C API's packed customer ids).
struct segment_labels {
    const char* chars = nullptr;
    const std::size_t* offsets = nullptr;
    std::size_t count = 0;

    std::size_t size() const noexcept { return count; }
    std::string_view operator[](std::size_t i) const noexcept {
        return {chars + offsets[i], offsets[i + 1] - offsets[i]};
    }
};

/// Labels held as one packed buffer, built from strings (the C++ callers' form).
class packed_labels {
public:
    packed_labels() : offsets_{0} {}
    template <class Strings>
    explicit packed_labels(const Strings& labels) : offsets_{0} {
        for (const auto& s : labels) push_back(s);
    }
    void push_back(std::string_view label) {
        chars_.append(label.data(), label.size());
        offsets_.push_back(chars_.size());
    }
    std::size_t size() const noexcept { return offsets_.size() - 1; }
    segment_labels view() const noexcept { return {chars_.data(), offsets_.data(), size()}; }
    operator segment_labels() const noexcept { return view(); }

private:
    std::string chars_;
    std::vector<std::size_t> offsets_;
};

/// The per-customer columns of a segmented fit or score. Which are read depends on the data the
/// kind is fitted on: (frequency, recency, age) for rfm models, (frequency, monetary) for spend
/// models; the others may be empty. `weights` (fits only) is optional.
struct segment_columns {
    array_view<double> frequency;
    array_view<double> recency;
    array_view<double> age;  ///< T (BG/BB: n_periods)
    array_view<double> monetary;
    array_view<double> weights;
};

/// How a segmented model is fitted (besides the fit_options every segment's fit gets).
struct segment_options {
    /// Segments with fewer rows are an error (naming segment, size and this minimum), or, with
    /// `pooled`, get no model of their own and are scored by the pooled model. At least 1.
    std::size_t min_customers = 1;
    /// Also fit one model on all rows: it scores the customers of labels without a model of
    /// their own (small segments, labels new since the fit).
    bool pooled = false;
    /// Segments fitted at once (ltv/threads.hpp: ≤ 0 the process default); results never
    /// depend on it. Also the threads of scoring batches.
    int threads = 0;
};

/// One fitted segment.
struct segment_model {
    std::string label;
    std::size_t customers = 0;  ///< rows of the data with this label
    model_state model;
};

/// A model per segment label (ascending byte order), and optionally a pooled model.
struct segmented_model {
    model_kind kind = model_kind::bgnbd;
    /// Where the labels come from, for the user layers (the CLI's --segment-column); "" unknown.
    std::string column;
    std::vector<segment_model> segments;
    std::size_t min_customers = 1;
    std::optional<model_state> pooled;
    std::size_t pooled_customers = 0;

    /// The segment labelled `label`, or nullptr.
    const segment_model* find(std::string_view label) const noexcept {
        auto it = std::lower_bound(
            segments.begin(), segments.end(), label,
            [](const segment_model& s, std::string_view l) { return std::string_view(s.label) < l; });
        return it != segments.end() && it->label == label ? &*it : nullptr;
    }
};

namespace detail {

/// Whether `s` is valid UTF-8 (no overlong forms, no surrogates, ≤ U+10FFFF).
inline bool valid_utf8(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int more;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            more = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            more = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            more = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else
            return false;
        if (end - p <= more) return false;
        if (p[1] < lo || p[1] > hi) return false;
        for (int k = 2; k <= more; ++k)
            if (p[k] < 0x80 || p[k] > 0xBF) return false;
        p += more + 1;
    }
    return true;
}

/// A label for a message: quoted, at most ~40 bytes (cut at a character boundary).
inline std::string quoted_label(std::string_view label) {
    if (label.size() <= 40) return "'" + std::string(label) + "'";
    std::size_t cut = 37;
    while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;
    return "'" + std::string(label.substr(0, cut)) + "...'";
}

/// "1 customer", "12 customers".
inline std::string customers_text(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " customer" : " customers");
}

/// Checks the packed labels (n + 1 non-decreasing offsets, non-empty UTF-8 labels) against the
/// data's n rows; invalid_argument naming the row.
inline void require_labels(const char* fn, const segment_labels& labels, std::size_t n) {
    if (n == 0) return;
    require_array(fn, "label_offsets", labels.offsets, n + 1);
    if (labels.chars == nullptr && labels.offsets[n] != labels.offsets[0])
        fail(status::invalid_argument, fn, "argument 'label_chars' is a null pointer");
    for (std::size_t i = 0; i < n; ++i) {
        if (labels.offsets[i + 1] < labels.offsets[i])
            fail(status::invalid_argument, fn,
                 "argument 'label_offsets[" + std::to_string(i + 1) + "]' = " +
                     std::to_string(labels.offsets[i + 1]) + " is less than label_offsets[" +
                     std::to_string(i) + "] = " + std::to_string(labels.offsets[i]) +
                     " (offsets must not decrease)");
        if (labels.offsets[i + 1] == labels.offsets[i])
            fail(status::invalid_argument, fn,
                 "the segment label of customer row " + std::to_string(i) + " is empty");
        if (!valid_utf8(labels[i]))
            fail(status::invalid_argument, fn,
                 "the segment label of customer row " + std::to_string(i) +
                     " is not valid UTF-8");
    }
}

/// The columns the kind reads, checked for n rows each (invalid_argument naming the column);
/// survivor-curve models cannot be segmented by customer.
inline void require_columns(const char* fn, const model_ops& ops, const segment_columns& d,
                            std::size_t n, bool fitting) {
    auto need = [&](const char* name, array_view<double> c) {
        if (n != 0 && c.data() == nullptr)
            fail(status::invalid_argument, fn,
                 std::string("column '") + name + "' is missing (a null pointer); the " +
                     ops.title + " model reads it");
        if (c.size() != n)
            fail(status::invalid_argument, fn,
                 std::string("column '") + name + "' has " + std::to_string(c.size()) +
                     " rows but there are " + std::to_string(n) + " customers (the " + ops.title +
                     " model reads it)");
    };
    if (ops.data == data_kind::rfm) {
        need("frequency", d.frequency);
        need("recency", d.recency);
        need(ops.age_name, d.age);
    } else if (ops.data == data_kind::spend) {
        need("frequency", d.frequency);
        need("monetary_value", d.monetary);
    } else {
        fail(status::invalid_argument, fn,
             std::string("the ") + ops.title + " model is fitted on " + data_kind_name(ops.data) +
                 " data, not on per-customer rows, so it cannot be fitted per segment");
    }
    if (fitting && !d.weights.empty()) need("weights", d.weights);
}

/// The rows `rows` of column c (empty stays empty).
inline std::vector<double> gather(array_view<double> c, const std::vector<std::size_t>& rows) {
    std::vector<double> out;
    if (c.empty()) return out;
    out.reserve(rows.size());
    for (std::size_t r : rows) out.push_back(c[r]);
    return out;
}

/// The message of an error raised on a subset of rows, its row numbers read as rows of the
/// input: "(at row k)" (rethrow_at_row) and argument elements "'name[k]'" (arg_name) become
/// rows[k].
inline std::string rows_renamed(const std::string& message, const std::vector<std::size_t>& rows) {
    std::string out;
    out.reserve(message.size() + 16);
    std::size_t i = 0;
    while (i < message.size()) {
        std::size_t begin = std::string::npos, close = 0;
        if (message.compare(i, 8, "(at row ") == 0) {
            begin = i + 8;
            close = ')';
        } else if (message[i] == '[') {
            begin = i + 1;
            close = ']';
        }
        if (begin != std::string::npos) {
            std::size_t end = begin;
            while (end < message.size() && message[end] >= '0' && message[end] <= '9') ++end;
            const bool element = close == ']' && end + 1 < message.size() && message[end + 1] == '\'';
            if (end > begin && end - begin < 19 && end < message.size() &&
                message[end] == static_cast<char>(close) && (close == ')' || element)) {
                const std::size_t k = std::stoull(message.substr(begin, end - begin));
                if (k < rows.size()) {
                    out.append(message, i, begin - i);
                    out += std::to_string(rows[k]);
                    i = end;
                    continue;
                }
            }
        }
        out += message[i++];
    }
    return out;
}

/// One segment's data, gathered: the views point into the vectors.
struct gathered_rows {
    std::vector<double> frequency, recency, age, monetary, weights;
    gathered_rows(const segment_columns& d, const std::vector<std::size_t>& rows)
        : frequency(gather(d.frequency, rows)),
          recency(gather(d.recency, rows)),
          age(gather(d.age, rows)),
          monetary(gather(d.monetary, rows)),
          weights(gather(d.weights, rows)) {}
    rfm_data rfm() const { return {frequency, recency, age, weights}; }
    spend_data spend() const { return {frequency, monetary, weights}; }
};

/// Fits `m` (kind, options, time unit already set) on the data the kind is fitted on.
inline void fit_state(model_state& m, const model_ops& ops, const rfm_data& r,
                      const spend_data& s, const fit_options& opt) {
    if (ops.data == data_kind::rfm)
        ops.fit_rfm(m, r, opt);
    else
        ops.fit_spend(m, s, opt);
}

}  // namespace detail

/// Fits one model per segment label (see the header comment). `prototype` gives the kind, the
/// options set by name and the time unit (its parameters, if any, are ignored; use fit.initial
/// for a start). Errors: invalid_argument for bad labels/columns or a segment below
/// min_customers (without pooled); a segment's failing fit keeps its status and is named with its
/// size, its rows by their input row.
inline segmented_model fit_segments(const model_state& prototype, const segment_columns& data,
                                    const segment_labels& labels, const fit_options& fit,
                                    const segment_options& options = {}) {
    constexpr const char* fn = "fit_segments";
    const model_ops& ops = model_ops_for(prototype.kind);
    const std::size_t n = labels.size();  // one label per customer row
    detail::require_columns(fn, ops, data, n, true);
    detail::require_labels(fn, labels, n);
    if (options.min_customers < 1)
        detail::fail(status::invalid_argument, fn, "option 'min_customers' = 0 must be ≥ 1");
    if (n == 0) detail::fail(status::invalid_argument, fn, "there are no customer rows to fit");

    // Rows per label, labels in byte order.
    std::unordered_map<std::string_view, std::size_t> index;
    std::vector<std::string_view> names;
    std::vector<std::vector<std::size_t>> rows;
    for (std::size_t i = 0; i < n; ++i) {
        const auto [it, added] = index.emplace(labels[i], names.size());
        if (added) {
            names.push_back(labels[i]);
            rows.emplace_back();
        }
        rows[it->second].push_back(i);
    }
    std::vector<std::size_t> order(names.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return names[a] < names[b]; });

    segmented_model out;
    out.kind = prototype.kind;
    out.min_customers = options.min_customers;
    model_state blank;  // the prototype without parameters or fit
    blank.kind = prototype.kind;
    blank.options = prototype.options;
    blank.time_unit = prototype.time_unit;

    std::vector<std::size_t> fitted;  // indices into names/rows, in label order
    for (std::size_t k : order) {
        if (rows[k].size() >= options.min_customers) {
            fitted.push_back(k);
        } else if (!options.pooled) {
            detail::fail(status::invalid_argument, fn,
                         "segment " + detail::quoted_label(names[k]) + " has " +
                             detail::customers_text(rows[k].size()) +
                             ", fewer than min_customers = " +
                             std::to_string(options.min_customers) +
                             " (lower it, or fit a pooled model for the small segments)");
        }
    }
    // Task t < fitted.size(): segment fitted[t]; the last task (with pooled): all rows.
    const std::size_t tasks = fitted.size() + (options.pooled ? 1 : 0);
    std::vector<model_state> states(tasks, blank);
    detail::parallel_tasks(tasks, options.threads, [&](std::size_t t) {
        if (t == fitted.size()) {  // the pooled model on the caller's columns, no copy
            try {
                const rfm_data r{data.frequency, data.recency, data.age, data.weights};
                const spend_data s{data.frequency, data.monetary, data.weights};
                detail::fit_state(states[t], ops, r, s, fit);
            } catch (const error& e) {
                throw error(e.code(), std::string(fn) + ": the pooled model (" +
                                          detail::customers_text(n) + "): " + e.what());
            }
            return;
        }
        const std::size_t k = fitted[t];
        try {
            const detail::gathered_rows g(data, rows[k]);
            detail::fit_state(states[t], ops, g.rfm(), g.spend(), fit);
        } catch (const error& e) {
            throw error(e.code(), std::string(fn) + ": segment " + detail::quoted_label(names[k]) +
                                      " (" + detail::customers_text(rows[k].size()) + "): " +
                                      detail::rows_renamed(e.what(), rows[k]));
        }
    });
    for (std::size_t t = 0; t < fitted.size(); ++t) {
        const std::size_t k = fitted[t];
        out.segments.push_back({std::string(names[k]), rows[k].size(), std::move(states[t])});
    }
    if (options.pooled) {
        out.pooled = std::move(states.back());
        out.pooled_customers = n;
    }
    return out;
}

/// Whether capability c is a per-customer score of score_segments (and of
/// ltv_model_score_summary): log_likelihood, p_alive, conditional_purchases (argument: horizon
/// t), dert (argument: discount rate), spend (expected spend per transaction), p_alive_ahead
/// (argument: periods ahead).
constexpr bool is_row_score(capability c) noexcept {
    return c == capability::log_likelihood || c == capability::p_alive ||
           c == capability::conditional_purchases || c == capability::dert ||
           c == capability::spend || c == capability::p_alive_ahead;
}

namespace detail {

/// invalid_argument: customer row i has a label without a model (`what`: "model", "spend
/// model") in s, which has no pooled model either.
[[noreturn]] inline void fail_no_model(const char* fn, const segmented_model& s, const char* what,
                                       std::size_t i, std::string_view label) {
    std::string known;
    for (std::size_t k = 0; k < s.segments.size() && k < 10; ++k)
        known += std::string(k ? ", " : "") + quoted_label(s.segments[k].label);
    if (s.segments.size() > 10) known += ", … (" + std::to_string(s.segments.size()) + " in all)";
    fail(status::invalid_argument, fn,
         "customer row " + std::to_string(i) + " has segment " + quoted_label(label) +
             ", which has no " + what + " (the segments: " + known + "; fit with a pooled " +
             what + " to score new segments)");
}


/// One model's score of capability c over rows held as views; ops supports c.
inline void score_rows(const model_ops& ops, const model_state& m, capability c, double argument,
                       const rfm_data& r, const spend_data& s, double* out, int threads) {
    switch (c) {
        case capability::log_likelihood:
            ops.log_likelihood(m, r, out, threads);
            break;
        case capability::p_alive:
            ops.p_alive(m, r, out, threads);
            break;
        case capability::conditional_purchases:
            ops.conditional_purchases(m, argument, r, out, threads);
            break;
        case capability::dert:
            ops.dert(m, argument, r, out, threads);
            break;
        case capability::p_alive_ahead:
            ops.p_alive_ahead(m, argument, r, out, threads);
            break;
        default:  // capability::spend
            ops.expected_spend(m, s, out, threads);
            break;
    }
}

}  // namespace detail

/// Scores each customer row with its segment's model (or the pooled model for a label without
/// one): out[i] for row i, capability c as is_row_score says. Errors: a capability the kind
/// lacks or that is no per-customer score, a label without a model (no pooled model) naming row
/// and label, and the kernels' errors naming the input row and its segment.
inline void score_segments(const segmented_model& s, capability c, double argument,
                           const segment_columns& data, const segment_labels& labels, double* out,
                           int threads = 0) {
    constexpr const char* fn = "score_segments";
    const model_ops& ops = model_ops_for(s.kind);
    const char* name = capability_name(static_cast<int>(c));
    if (name == nullptr || !is_row_score(c))
        detail::fail(status::invalid_argument, fn,
                     "capability " + std::to_string(static_cast<int>(c)) +
                         " is not a per-customer prediction (log_likelihood, p_alive, "
                         "conditional_purchases, dert, spend or p_alive_ahead)");
    if (!ops.supports(c)) {
        std::string can;
        for (const char* cap : capability_names(ops.capabilities))
            can += std::string(can.empty() ? "" : ", ") + cap;
        detail::fail(status::invalid_argument, fn,
                     std::string(name) + " is not available for the " + ops.title +
                         " model (it supports: " + can + ")");
    }
    const std::size_t n = labels.size();  // one label per customer row
    detail::require_columns(fn, ops, data, n, false);
    detail::require_labels(fn, labels, n);
    detail::require_array(fn, "out", out, n);
    if (n == 0) return;

    // Row → group: segment index, or segments.size() for the pooled model.
    const std::size_t groups = s.segments.size() + 1;
    std::unordered_map<std::string_view, std::size_t> index;
    for (std::size_t k = 0; k < s.segments.size(); ++k) index.emplace(s.segments[k].label, k);
    std::vector<std::vector<std::size_t>> rows(groups);
    for (std::size_t i = 0; i < n; ++i) {
        const auto it = index.find(labels[i]);
        if (it != index.end()) {
            rows[it->second].push_back(i);
            continue;
        }
        if (!s.pooled) detail::fail_no_model(fn, s, "model", i, labels[i]);
        rows[groups - 1].push_back(i);
    }
    std::vector<double> values;
    for (std::size_t k = 0; k < groups; ++k) {
        if (rows[k].empty()) continue;
        const bool pooled = k == groups - 1;
        const model_state& m = pooled ? *s.pooled : s.segments[k].model;
        const detail::gathered_rows g(segment_columns{data.frequency, data.recency, data.age,
                                                      data.monetary, {}},
                                      rows[k]);
        values.resize(rows[k].size());
        try {
            detail::score_rows(ops, m, c, argument, g.rfm(), g.spend(), values.data(), threads);
        } catch (const error& e) {
            throw error(e.code(), std::string(fn) + ": " +
                                      (pooled ? std::string("the pooled model")
                                              : "segment " + detail::quoted_label(s.segments[k].label)) +
                                      ": " + detail::rows_renamed(e.what(), rows[k]));
        }
        for (std::size_t j = 0; j < rows[k].size(); ++j) out[rows[k][j]] = values[j];
    }
}

/// The spend model of clv_segments: a segmented spend model fitted on the same labels, or one
/// spend model for every customer (both convert implicitly). Borrowed: it must outlive the call.
struct segment_spend {
    const segmented_model* segments = nullptr;
    const model_state* model = nullptr;
    segment_spend(const segmented_model& s) noexcept : segments(&s) {}  // NOLINT: implicit
    segment_spend(const model_state& m) noexcept : model(&m) {}         // NOLINT: implicit
};

/// Customer lifetime value (ltv/clv.hpp) of each customer row into out[i]: the transaction model
/// of its segment (or the pooled model, as score_segments chooses) with the spend model of
/// `spend` — its segment's in a segmented spend model (else the spend segments' pooled model,
/// else invalid_argument naming the row and the label), or the one model given. Reads
/// frequency, recency, age and monetary. Rows are grouped by their pair of models, each group
/// keeping the input order, and each group is one batch of the registry's clv kernel (threads
/// as for score_segments), so a customer's value is bit for bit the CLV of the plain models on
/// that group's rows. Errors: a transaction kind without CLV, a spend kind that is not a spend
/// model, the clv kernel's errors naming the input row and the segment.
inline void clv_segments(const segmented_model& transactions, segment_spend spend,
                         const segment_columns& data, const segment_labels& labels,
                         const clv_options& options, double* out, int threads = 0) {
    constexpr const char* fn = "clv_segments";
    const model_ops& ops = model_ops_for(transactions.kind);
    if (!ops.supports(capability::clv)) {
        std::string can;
        for (const model_ops* o : registered_models())
            if (o->supports(capability::clv)) can += std::string(can.empty() ? "" : ", ") + o->name;
        detail::fail(status::invalid_argument, fn,
                     std::string("the ") + ops.title + " model has no CLV (models with CLV: " +
                         can + ")");
    }
    if ((spend.segments == nullptr) == (spend.model == nullptr))
        detail::fail(status::invalid_argument, fn,
                     "give exactly one spend model: a segmented one or one for all customers");
    const model_ops& sops =
        model_ops_for(spend.segments != nullptr ? spend.segments->kind : spend.model->kind);
    if (!sops.supports(capability::spend)) {
        std::string can;
        for (const model_ops* o : registered_models())
            if (o->supports(capability::spend)) can += std::string(can.empty() ? "" : ", ") + o->name;
        detail::fail(status::invalid_argument, fn,
                     std::string("the spend model is a ") + sops.title +
                         " model, not a spend model (" + can + ")");
    }
    detail::validate_clv_options(fn, options);
    const std::size_t n = labels.size();  // one label per customer row
    detail::require_columns(fn, ops, data, n, false);
    detail::require_columns(fn, sops, data, n, false);
    detail::require_labels(fn, labels, n);
    detail::require_array(fn, "out", out, n);
    if (n == 0) return;

    // Row → (transaction model, spend model); index size() stands for the pooled model.
    auto index_of = [](const segmented_model& s) {
        std::unordered_map<std::string_view, std::size_t> index;
        for (std::size_t k = 0; k < s.segments.size(); ++k) index.emplace(s.segments[k].label, k);
        return index;
    };
    const auto t_index = index_of(transactions);
    const auto s_index =
        spend.segments != nullptr ? index_of(*spend.segments) : decltype(t_index){};
    const std::size_t t_groups = transactions.segments.size() + 1;
    const std::size_t s_groups = spend.segments != nullptr ? spend.segments->segments.size() + 1 : 1;
    std::vector<std::size_t> group(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t tk = t_groups - 1, sk = 0;
        if (const auto it = t_index.find(labels[i]); it != t_index.end())
            tk = it->second;
        else if (!transactions.pooled)
            detail::fail_no_model(fn, transactions, "model", i, labels[i]);
        if (spend.segments != nullptr) {
            sk = s_groups - 1;
            if (const auto it = s_index.find(labels[i]); it != s_index.end())
                sk = it->second;
            else if (!spend.segments->pooled)
                detail::fail_no_model(fn, *spend.segments, "spend model", i, labels[i]);
        }
        group[i] = tk * s_groups + sk;
    }
    // The rows ordered by group, each group in input order.
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return group[a] < group[b]; });
    std::vector<std::size_t> rows;
    std::vector<double> values;
    for (std::size_t begin = 0; begin < n;) {
        const std::size_t gk = group[order[begin]];
        std::size_t end = begin;
        while (end < n && group[order[end]] == gk) ++end;
        rows.assign(order.begin() + static_cast<std::ptrdiff_t>(begin),
                    order.begin() + static_cast<std::ptrdiff_t>(end));
        begin = end;
        const std::size_t tk = gk / s_groups, sk = gk % s_groups;
        const bool t_pooled = tk == t_groups - 1;
        const model_state& tm = t_pooled ? *transactions.pooled : transactions.segments[tk].model;
        const model_state* sm = spend.model;
        std::string where = t_pooled ? std::string("the pooled model")
                                     : "segment " + detail::quoted_label(transactions.segments[tk].label);
        if (spend.segments != nullptr) {
            const bool s_pooled = sk == s_groups - 1;
            sm = s_pooled ? &*spend.segments->pooled : &spend.segments->segments[sk].model;
            if (s_pooled)
                where += " with the pooled spend model";
            else if (t_pooled || spend.segments->segments[sk].label != transactions.segments[tk].label)
                where += " with the spend model of segment " +
                         detail::quoted_label(spend.segments->segments[sk].label);
        }
        const detail::gathered_rows g(segment_columns{data.frequency, data.recency, data.age,
                                                      data.monetary, {}},
                                      rows);
        values.resize(rows.size());
        try {
            ops.clv(tm, *sm, g.rfm(), g.monetary, options, values.data(), threads);
        } catch (const error& e) {
            throw error(e.code(), std::string(fn) + ": " + where + ": " +
                                      detail::rows_renamed(e.what(), rows));
        }
        for (std::size_t j = 0; j < rows.size(); ++j) out[rows[j]] = values[j];
    }
}

/// The segmented model as JSON text (see the header comment for the format).
inline std::string segments_to_json(const segmented_model& s, int indent = 2) {
    nlohmann::ordered_json j;
    j["format"] = "ltv-segments";
    j["format_version"] = 1;
    j["ltv_version"] = version_string;
    j["model"] = model_ops_for(s.kind).name;
    if (!s.column.empty()) j["segment_column"] = s.column;
    j["min_customers"] = s.min_customers;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& seg : s.segments) {
        nlohmann::ordered_json e;
        e["label"] = seg.label;
        e["customers"] = seg.customers;
        e["model"] = nlohmann::ordered_json::parse(model_to_json(seg.model, -1));
        list.push_back(std::move(e));
    }
    j["segments"] = std::move(list);
    if (s.pooled) {
        nlohmann::ordered_json p;
        p["customers"] = s.pooled_customers;
        p["model"] = nlohmann::ordered_json::parse(model_to_json(*s.pooled, -1));
        j["pooled"] = std::move(p);
    }
    return j.dump(indent);
}

namespace detail {

/// One embedded model document, its errors prefixed by `where`; it must be of kind `kind`.
inline model_state embedded_model(const nlohmann::json& j, const std::string& where,
                                  model_kind kind) {
    model_state m;
    try {
        if (!j.contains("model") || !j["model"].is_object())
            fail(status::parse_error, "segments_from_json",
                 where + "missing object 'model' (an ltv-model document)");
        m = model_from_json_checked(j["model"]);
    } catch (const error& e) {
        throw error(e.code(), std::string("segments_from_json: ") + where + e.what());
    }
    if (m.kind != kind)
        fail(status::parse_error, "segments_from_json",
             where + "the model is a " + model_ops_for(m.kind).name + " model, not " +
                 model_ops_for(kind).name + " as the file's \"model\" says");
    return m;
}

inline segmented_model segments_from_json_checked(const nlohmann::json& j) {
    constexpr const char* fn = "segments_from_json";
    if (!j.is_object() || !j.contains("format") || j["format"] != "ltv-segments")
        fail(status::parse_error, fn,
             "not an ltv segments file (no \"format\": \"ltv-segments\")");
    if (!j.contains("format_version") || !j["format_version"].is_number_integer() ||
        j["format_version"] != 1)
        fail(status::parse_error, fn,
             "unsupported format_version " +
                 json_fields::excerpt(j.contains("format_version") ? j["format_version"]
                                                                   : nlohmann::json()) +
                 " (this ltv reads version 1)");
    const json_fields top(j, "");
    if (!j.contains("model") || !j["model"].is_string()) top.wrong("model", "a string naming the model");
    segmented_model s;
    try {
        s.kind = model_kind_from_name(j["model"].get<std::string>());
    } catch (const error& e) {
        fail(status::parse_error, fn, e.what());
    }
    s.column = top.optional_string("segment_column");
    if (top.has("min_customers")) {
        s.min_customers = static_cast<std::size_t>(top.optional_count("min_customers", SIZE_MAX));
        if (s.min_customers < 1) top.wrong("min_customers", "a whole number ≥ 1");
    }
    if (!j.contains("segments") || !j["segments"].is_array()) top.wrong("segments", "an array");
    const auto& list = j["segments"];
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string where = "segments[" + std::to_string(i) + "]: ";
        const auto& e = list[i];
        if (!e.is_object()) fail(status::parse_error, fn, where + "must be an object");
        const json_fields f(e, where);
        if (!e.contains("label") || !e["label"].is_string() || e["label"].get<std::string>().empty())
            f.wrong("label", "a non-empty string");
        segment_model seg;
        seg.label = e["label"].get<std::string>();
        seg.customers = static_cast<std::size_t>(f.optional_count("customers", SIZE_MAX));
        seg.model = embedded_model(e, where + "(segment " + quoted_label(seg.label) + ") ", s.kind);
        if (seg.model.params.empty())
            fail(status::parse_error, fn, where + "the model has no parameters");
        s.segments.push_back(std::move(seg));
    }
    std::sort(s.segments.begin(), s.segments.end(),
              [](const segment_model& a, const segment_model& b) { return a.label < b.label; });
    for (std::size_t i = 1; i < s.segments.size(); ++i)
        if (s.segments[i].label == s.segments[i - 1].label)
            fail(status::parse_error, fn,
                 "segment " + quoted_label(s.segments[i].label) + " appears twice");
    if (top.has("pooled")) {
        const auto& p = j["pooled"];
        if (!p.is_object()) top.wrong("pooled", "an object");
        const json_fields f(p, "pooled: ");
        s.pooled_customers = static_cast<std::size_t>(f.optional_count("customers", SIZE_MAX));
        s.pooled = embedded_model(p, "pooled: ", s.kind);
    }
    if (s.segments.empty() && !s.pooled)
        fail(status::parse_error, fn, "the file holds no segment and no pooled model");
    return s;
}

}  // namespace detail

/// Reads segments_to_json's text: parse_error naming the key (and the segment) otherwise.
inline segmented_model segments_from_json(const std::string& text) {
    constexpr const char* fn = "segments_from_json";
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        detail::fail(status::parse_error, fn, std::string("not valid JSON: ") + e.what());
    }
    try {
        return detail::segments_from_json_checked(j);
    } catch (const nlohmann::json::exception& e) {
        detail::fail(status::parse_error, fn, std::string("malformed segments file: ") + e.what());
    }
}

/// Writes segments_to_json(s) to `path`; io_error names the path on failure.
inline void save_segments(const segmented_model& s, const std::string& path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        detail::fail(status::io_error, "save_segments", "cannot open '" + path + "' for writing");
    out << segments_to_json(s) << "\n";
    out.flush();
    if (!out) detail::fail(status::io_error, "save_segments", "cannot write '" + path + "'");
}

/// Reads a segments file; errors name the path.
inline segmented_model load_segments(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        detail::fail(status::io_error, "load_segments", "cannot open '" + path + "' for reading");
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return segments_from_json(text.str());
    } catch (const error& e) {
        throw error(e.code(), path + ": " + e.what());
    }
}

}  // namespace ltv
