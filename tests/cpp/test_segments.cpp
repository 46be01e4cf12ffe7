// SPDX-License-Identifier: Apache-2.0
// tests/cpp/test_segments.cpp — one model per segment (issue 13, ltv/segments.hpp).
//
// The conformance part names no model: for every registered model fitted on per-customer rows
// (rfm or spend), its reference fit data (tests/data/references/<name>.json) is split into three
// segments by row index modulo 3, and fit_segments must give, bit for bit, the parameters a fit
// of each subset alone gives; score_segments must give each row what the segment's model gives
// on the subset; the JSON round trip must keep all of it.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ltv/registry.hpp"
#include "ltv/segments.hpp"
#include "support/conformance.hpp"
#include "support/model_data.hpp"

namespace {
namespace conf = ltv_test::conformance;

/// "s0", "s1", "s2" by row index modulo 3 (row 1 gets the non-ASCII "s1 ✓").
std::vector<std::string> thirds(std::size_t n) {
    std::vector<std::string> labels(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = i % 3 == 1 ? "s1 ✓" : "s" + std::to_string(i % 3);
    return labels;
}

conf::data_set subset(const conf::data_set& d, const std::vector<std::string>& labels,
                      const std::string& label) {
    conf::data_set s;
    s.cols.resize(d.cols.size());
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] != label) continue;
        for (std::size_t c = 0; c < d.cols.size(); ++c) s.cols[c].push_back(d.cols[c][i]);
        if (!d.weights.empty()) s.weights.push_back(d.weights[i]);
    }
    return s;
}

ltv::segment_columns columns_of(const ltv::model_ops& ops, const conf::data_set& d,
                                bool weights = true) {
    ltv::segment_columns c;
    c.frequency = d.cols[0];
    if (ops.data == ltv::data_kind::rfm) {
        c.recency = d.cols[1];
        c.age = d.cols[2];
    } else {
        c.monetary = d.cols[1];
    }
    if (weights) c.weights = d.weights;
    return c;
}

void score_one(const ltv::model_ops& ops, const ltv::model_state& m, ltv::capability c,
               double argument, const conf::data_set& d, std::vector<double>& out) {
    out.assign(d.cols[0].size(), 0.0);
    const ltv::rfm_data r = ops.data == ltv::data_kind::rfm ? conf::rfm_view(d) : ltv::rfm_data{};
    const ltv::spend_data s =
        ops.data == ltv::data_kind::spend ? conf::spend_view(d) : ltv::spend_data{};
    ltv::detail::score_rows(ops, m, c, argument, {r.frequency, r.recency, r.age, {}},
                            {s.frequency, s.monetary, {}}, out.data(), 1);
}

}  // namespace

TEST_CASE("segments: every registered model fitted per segment equals each subset fitted alone") {
    int checked = 0;
    for (const ltv::model_ops* ops : ltv::registered_models()) {
        if (ops->data == ltv::data_kind::survivors) continue;  // no per-customer rows
        INFO("model '" << std::string(ops->name) << "'");
        const conf::model_inputs in = conf::load_inputs(*ops);
        const conf::data_set& d = in.fit_data;
        const std::size_t n = d.cols[0].size();
        REQUIRE(n >= 9);  // (BG/BB's fit data: 22 weighted rows)
        const auto labels = thirds(n);
        const ltv::packed_labels packed(labels);
        ltv::model_state proto;
        proto.kind = static_cast<ltv::model_kind>(ops->kind);
        proto.time_unit = "week";
        conf::apply_reference_options(*ops, proto);  // e.g. BG/CNBD-k's k (as conf::fit)
        ltv::fit_options fo;
        // (a third of a small data set may not identify every parameter: BG/BB's 22 rows; the
        // point where the fit stops must still be the subset's own)
        fo.allow_no_convergence = true;
        ltv::segment_options so;
        so.threads = 2;
        const ltv::segmented_model seg = ltv::fit_segments(proto, columns_of(*ops, d), packed, fo, so);
        REQUIRE(seg.segments.size() == 3);
        CHECK(seg.segments[0].label == "s0");  // byte order
        CHECK(seg.segments[1].label == "s1 ✓");
        CHECK(seg.segments[2].label == "s2");
        std::size_t total = 0;
        for (const auto& s : seg.segments) {
            INFO("segment " << s.label);
            const conf::data_set part = subset(d, labels, s.label);
            CHECK(s.customers == part.cols[0].size());
            total += s.customers;
            const ltv::model_state alone = conf::fit(*ops, part, fo);
            CHECK(s.model.params == alone.params);  // bit for bit
            CHECK(s.model.time_unit == "week");
            CHECK(s.model.report.log_likelihood == alone.report.log_likelihood);
        }
        CHECK(total == n);
        // Threads do not change the result.
        so.threads = 1;
        const auto one = ltv::fit_segments(proto, columns_of(*ops, d), packed, fo, so);
        for (std::size_t k = 0; k < 3; ++k) CHECK(one.segments[k].model.params == seg.segments[k].model.params);

        // Scores: each row as its segment's model scores it on the subset.
        const auto round = ltv::segments_from_json(ltv::segments_to_json(seg));
        REQUIRE(round.segments.size() == 3);
        for (int cv = 1; cv <= ltv::capability_max; ++cv) {
            const auto c = static_cast<ltv::capability>(cv);
            if (!ltv::is_row_score(c) || !ops->supports(c)) continue;
            INFO("capability " << ltv::capability_name(cv));
            const double argument = c == ltv::capability::dert ? 0.05 : 2;
            std::vector<double> got(n), got_round(n), expect;
            ltv::score_segments(seg, c, argument, columns_of(*ops, d, false), packed, got.data());
            ltv::score_segments(round, c, argument, columns_of(*ops, d, false), packed,
                                got_round.data());
            CHECK(got == got_round);
            for (const auto& s : seg.segments) {
                score_one(*ops, s.model, c, argument, subset(d, labels, s.label), expect);
                std::size_t j = 0;
                bool same = true;
                for (std::size_t i = 0; i < n; ++i)
                    if (labels[i] == s.label) same &= got[i] == expect[j++];
                CHECK(same);
            }
            ++checked;
        }
    }
    CHECK(checked >= 6);
}

TEST_CASE("segments: errors name the segment, its size, the row and the label") {
    const ltv::model_ops& ops = ltv::model_ops_for(ltv::model_kind::bgnbd);
    const conf::model_inputs in = conf::load_inputs(ops);
    const conf::data_set& d = in.fit_data;
    const std::size_t n = d.cols[0].size();
    std::vector<std::string> labels(n, "big");
    labels[5] = "tiny";
    ltv::model_state proto;
    proto.kind = ltv::model_kind::bgnbd;
    ltv::segment_options so;
    so.min_customers = 2;
    const auto cols = columns_of(ops, d);
    // A segment below min_customers.
    try {
        ltv::fit_segments(proto, cols, ltv::packed_labels(labels), {}, so);
        FAIL("no error");
    } catch (const ltv::error& e) {
        CHECK(e.code() == ltv::status::invalid_argument);
        const std::string m = e.what();
        CHECK(m.find("segment 'tiny' has 1 customer, fewer than min_customers = 2") !=
              std::string::npos);
    }
    // A segment whose fit fails: one customer cannot identify four parameters.
    so.min_customers = 1;
    try {
        ltv::fit_segments(proto, cols, ltv::packed_labels(labels), {}, so);
        FAIL("no error");
    } catch (const ltv::error& e) {
        const std::string m = e.what();
        CHECK(m.find("segment 'tiny' (1 customer)") != std::string::npos);
    }
    // With a pooled model, the small segment is scored by it.
    so.min_customers = 2;
    so.pooled = true;
    const auto seg = ltv::fit_segments(proto, cols, ltv::packed_labels(labels), {}, so);
    REQUIRE(seg.segments.size() == 1);
    REQUIRE(seg.pooled.has_value());
    CHECK(seg.pooled_customers == n);
    const ltv::model_state all = conf::fit(ops, d);
    CHECK(seg.pooled->params == all.params);
    std::vector<double> out(n), pooled_out(n);
    ltv::score_segments(seg, ltv::capability::p_alive, 0, columns_of(ops, d, false),
                        ltv::packed_labels(labels), out.data());
    ops.p_alive(*seg.pooled, {d.cols[0], d.cols[1], d.cols[2], {}}, pooled_out.data(), 1);
    CHECK(out[5] == pooled_out[5]);
    std::size_t buyer = 0;  // a customer of 'big' with repeat purchases: P(alive) < 1 differs
    while (buyer == 5 || d.cols[0][buyer] == 0) ++buyer;
    CHECK(out[buyer] != pooled_out[buyer]);
    const auto round = ltv::segments_from_json(ltv::segments_to_json(seg));
    REQUIRE(round.pooled.has_value());
    CHECK(round.pooled->params == seg.pooled->params);

    // Without a pooled model an unknown label names the row and the label.
    ltv::segmented_model no_pool = seg;
    no_pool.pooled.reset();
    try {
        ltv::score_segments(no_pool, ltv::capability::p_alive, 0, columns_of(ops, d, false),
                            ltv::packed_labels(labels), out.data());
        FAIL("no error");
    } catch (const ltv::error& e) {
        const std::string m = e.what();
        CHECK(m.find("customer row 5 has segment 'tiny', which has no model") != std::string::npos);
    }
    // A row's bad history names the input row, not the segment's.
    std::vector<double> x = d.cols[0], tx = d.cols[1], T = d.cols[2];
    x[7] = -1;
    try {
        ltv::score_segments(seg, ltv::capability::p_alive, 0, {x, tx, T, {}, {}},
                            ltv::packed_labels(labels), out.data());
        FAIL("no error");
    } catch (const ltv::error& e) {
        const std::string m = e.what();
        CHECK(m.find("segment 'big'") != std::string::npos);
        CHECK(m.find("frequency[7]") != std::string::npos);
    }
    // Empty and non-UTF-8 labels, a capability the model lacks.
    labels[3] = "";
    CHECK_THROWS_WITH_AS(ltv::fit_segments(proto, cols, ltv::packed_labels(labels), {}, so),
                         doctest::Contains("customer row 3 is empty"), ltv::error);
    labels[3] = "\xff";
    CHECK_THROWS_WITH_AS(ltv::fit_segments(proto, cols, ltv::packed_labels(labels), {}, so),
                         doctest::Contains("customer row 3 is not valid UTF-8"), ltv::error);
    CHECK_THROWS_WITH_AS(ltv::score_segments(seg, ltv::capability::spend, 0, columns_of(ops, d),
                                             ltv::packed_labels(std::vector<std::string>(n, "big")),
                                             out.data()),
                         doctest::Contains("spend is not available for the BG/NBD model"),
                         ltv::error);
    // Files: a wrong kind inside, a duplicate label.
    std::string text = ltv::segments_to_json(seg);
    CHECK_THROWS_WITH_AS(ltv::segments_from_json("{\"format\": \"ltv-model\"}"),
                         doctest::Contains("not an ltv segments file"), ltv::error);
    auto j = nlohmann::json::parse(text);
    j["segments"].push_back(j["segments"][0]);
    CHECK_THROWS_WITH_AS(ltv::segments_from_json(j.dump()),
                         doctest::Contains("segment 'big' appears twice"), ltv::error);
    j = nlohmann::json::parse(text);
    j["model"] = "pnbd";
    CHECK_THROWS_WITH_AS(ltv::segments_from_json(j.dump()),
                         doctest::Contains("segments[0]: (segment 'big') the model is a bgnbd model, not pnbd"),
                         ltv::error);
}

namespace {

/// The CDNOW sample's rows (x, t_x, T, z̄) and labels "a", "b", "c" by row modulo 3.
struct clv_data {
    ltv_test::csv_table t = ltv_test::read_csv("cdnow_customers_summary_with_transactions.csv");
    std::vector<double> x = t.column("x"), tx = t.column("t_x"), T = t.column("T"),
                        z = t.column("zbar");
    std::vector<std::string> labels;
    clv_data() {
        for (std::size_t i = 0; i < x.size(); ++i) labels.push_back(std::string(1, "abc"[i % 3]));
    }
    std::size_t size() const { return x.size(); }
    ltv::segment_columns columns() const { return {x, tx, T, z, {}}; }
};

/// The rows `rows` of the data, and ops.clv of the plain models on them.
std::vector<double> clv_of_rows(const clv_data& d, const std::vector<std::size_t>& rows,
                                const ltv::model_state& tm, const ltv::model_state& sm,
                                const ltv::clv_options& o) {
    std::vector<double> x, tx, T, z, out(rows.size());
    for (std::size_t r : rows) {
        x.push_back(d.x[r]);
        tx.push_back(d.tx[r]);
        T.push_back(d.T[r]);
        z.push_back(d.z[r]);
    }
    ltv::model_ops_for(tm.kind).clv(tm, sm, {x, tx, T, {}}, z, o, out.data(), 1);
    return out;
}

std::vector<std::size_t> rows_labelled(const std::vector<std::string>& labels,
                                       const std::string& label) {
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] == label) rows.push_back(i);
    return rows;
}

/// Gamma-Gamma per segment on the customers with repeat purchases.
ltv::segmented_model spend_segments(const clv_data& d, const std::vector<std::string>& labels,
                                    const ltv::segment_options& so = {}) {
    std::vector<double> x, z;
    std::vector<std::string> l;
    for (std::size_t i = 0; i < d.size(); ++i)
        if (d.x[i] > 0) {
            x.push_back(d.x[i]);
            z.push_back(d.z[i]);
            l.push_back(labels[i]);
        }
    ltv::model_state proto;
    proto.kind = ltv::model_kind::gamma_gamma;
    return ltv::fit_segments(proto, {x, {}, {}, z, {}}, ltv::packed_labels(l), {}, so);
}

ltv::segmented_model transaction_segments(const clv_data& d, const std::vector<std::string>& labels,
                                          ltv::model_kind kind,
                                          const ltv::segment_options& so = {}) {
    ltv::model_state proto;
    proto.kind = kind;
    return ltv::fit_segments(proto, d.columns(), ltv::packed_labels(labels), {}, so);
}

}  // namespace

TEST_CASE("segments: CLV per segment equals each subset's CLV with the plain models") {
    const clv_data d;
    const std::size_t n = d.size();
    const ltv::packed_labels packed(d.labels);
    ltv::clv_options o;
    o.periods = 6;
    o.period_length = 4.345;
    o.discount_rate = 0.01;
    const auto gg = spend_segments(d, d.labels);
    REQUIRE(gg.segments.size() == 3);
    for (ltv::model_kind kind : {ltv::model_kind::bgnbd, ltv::model_kind::pareto_nbd}) {
        INFO("model " << ltv::model_ops_for(kind).name);
        const auto seg = transaction_segments(d, d.labels, kind);
        std::vector<double> got(n, -1), got_one(n, -1);
        ltv::clv_segments(seg, gg, d.columns(), packed, o, got.data(), 2);
        // one spend model for all
        ltv::model_state all_gg;
        all_gg.kind = ltv::model_kind::gamma_gamma;
        {
            std::vector<double> x, z;
            for (std::size_t i = 0; i < n; ++i)
                if (d.x[i] > 0) x.push_back(d.x[i]), z.push_back(d.z[i]);
            ltv::model_ops_for(all_gg.kind).fit_spend(all_gg, {x, z, {}}, {});
        }
        ltv::clv_segments(seg, all_gg, d.columns(), packed, o, got_one.data());
        for (const auto& s : seg.segments) {
            INFO("segment " << s.label);
            const auto rows = rows_labelled(d.labels, s.label);
            const auto expect = clv_of_rows(d, rows, s.model, gg.find(s.label)->model, o);
            const auto expect_one = clv_of_rows(d, rows, s.model, all_gg, o);
            bool same = true, same_one = true, differs = false;
            for (std::size_t j = 0; j < rows.size(); ++j) {
                same &= got[rows[j]] == expect[j];
                same_one &= got_one[rows[j]] == expect_one[j];
                differs |= got[rows[j]] != got_one[rows[j]];
            }
            CHECK(same);       // bit for bit
            CHECK(same_one);
            CHECK(differs);    // the segment's spend model was used, not the pooled one
        }
    }
}

TEST_CASE("segments: CLV falls back to pooled spend models and names rows and labels") {
    const clv_data d;
    const std::size_t n = d.size();
    std::vector<std::string> labels = d.labels;
    for (std::size_t i : {0, 1, 2, 5}) labels[i] = "west";  // too few for a model of its own
    const ltv::packed_labels packed(labels);
    ltv::segment_options so;
    so.min_customers = 20;
    so.pooled = true;
    const auto seg = transaction_segments(d, labels, ltv::model_kind::bgnbd, so);
    const auto gg_pooled = spend_segments(d, labels, so);
    REQUIRE(gg_pooled.pooled.has_value());
    REQUIRE(gg_pooled.find("west") == nullptr);
    const ltv::clv_options o;
    std::vector<double> got(n);
    ltv::clv_segments(seg, gg_pooled, d.columns(), packed, o, got.data());
    const auto west = rows_labelled(labels, "west");
    const auto expect = clv_of_rows(d, west, *seg.pooled, *gg_pooled.pooled, o);
    for (std::size_t j = 0; j < west.size(); ++j) CHECK(got[west[j]] == expect[j]);
    const auto b = rows_labelled(labels, "b");
    const auto expect_b =
        clv_of_rows(d, b, seg.find("b")->model, gg_pooled.find("b")->model, o);
    for (std::size_t j = 0; j < b.size(); ++j) CHECK(got[b[j]] == expect_b[j]);

    // Without the spend segments' pooled model: the first such row and its label.
    ltv::segmented_model gg = gg_pooled;
    gg.pooled.reset();
    CHECK_THROWS_WITH_AS(
        ltv::clv_segments(seg, gg, d.columns(), packed, o, got.data()),
        doctest::Contains("customer row 0 has segment 'west', which has no spend model"),
        ltv::error);
    // A spend segments file of a transaction model, a transaction model without CLV.
    CHECK_THROWS_WITH_AS(ltv::clv_segments(seg, seg, d.columns(), packed, o, got.data()),
                         doctest::Contains("the spend model is a BG/NBD model, not a spend model"),
                         ltv::error);
    CHECK_THROWS_WITH_AS(ltv::clv_segments(gg, gg, d.columns(), packed, o, got.data()),
                         doctest::Contains("model has no CLV"), ltv::error);
    // A row's bad value names the input row and the segment; bad options name the option.
    std::size_t buyer = 7;  // a customer of segment 'b' with repeat purchases
    while (labels[buyer] != "b" || d.x[buyer] == 0) ++buyer;
    std::vector<double> z = d.z;
    z[buyer] = -3;
    const std::string element = "[" + std::to_string(buyer) + "]";
    CHECK_THROWS_WITH_AS(
        ltv::clv_segments(seg, gg_pooled, {d.x, d.tx, d.T, z, {}}, packed, o, got.data()),
        doctest::Contains(element.c_str()), ltv::error);
    CHECK_THROWS_WITH_AS(
        ltv::clv_segments(seg, gg_pooled, {d.x, d.tx, d.T, z, {}}, packed, o, got.data()),
        doctest::Contains("segment 'b'"), ltv::error);
    ltv::clv_options bad;
    bad.period_length = 0;
    CHECK_THROWS_WITH_AS(
        ltv::clv_segments(seg, gg_pooled, d.columns(), packed, bad, got.data()),
        doctest::Contains("period_length"), ltv::error);
    // A missing monetary column.
    CHECK_THROWS_WITH_AS(
        ltv::clv_segments(seg, gg_pooled, {d.x, d.tx, d.T, {}, {}}, packed, o, got.data()),
        doctest::Contains("monetary_value"), ltv::error);
}
