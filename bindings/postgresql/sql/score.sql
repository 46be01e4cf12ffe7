-- SPDX-License-Identifier: Apache-2.0
-- Scoring functions: one customer per call, the model parsed once per query (runs after fit).
-- Published values: tests/data/references/bgnbd.json (FHL 2005 section 5 / Hardie's BG/NBD
-- spreadsheet), compared at their printed precision.

-- A model file with the published parameters only ("published": r = 0.243, alpha = 4.414,
-- a = 0.793, b = 2.426).
CREATE TABLE published AS SELECT
  '{"format": "ltv-model", "format_version": 1, "model": "bgnbd",
    "params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}}'::jsonb AS model;

-- Customer 1 of the CDNOW sample (x = 2, t_x = 30.43, T = 38.86): P(alive) = 0.7266,
-- E[Y(39)] = 1.226; x = 7, t_x = 29.43: P(alive) = 0.6418, E[Y(39)] = 3.337.
SELECT x, round(ltv_p_alive(model, x, t_x, "T")::numeric, 4) AS p_alive,
       round(ltv_expected_purchases(model, 39, x, t_x, "T")::numeric, 3) AS expected_39
FROM published, (VALUES (2, 30.43, 38.86), (7, 29.43, 38.86)) AS c(x, t_x, "T");

-- Scores of every customer with the fitted models (the scores table of docs/sql.md).
CREATE TABLE scores AS
SELECT c.id,
       ltv_p_alive(b.model, c.x, c.t_x, c."T") AS p_alive,
       ltv_expected_purchases(b.model, 52, c.x, c.t_x, c."T") AS purchases_52,
       ltv_expected_spend(g.model, s.x, s.zbar) AS spend,
       ltv_clv(b.model, g.model, c.x, c.t_x, c."T", s.zbar) AS clv_default,
       ltv_clv(b.model, g.model, c.x, c.t_x, c."T", s.zbar,
               periods => 12, period_length => 1, discount_rate => 0) AS clv_explicit,
       ltv_clv(b.model, g.model, c.x, c.t_x, c."T", s.zbar, 12, 4.345, 0.01) AS clv_year,
       ltv_dert(p.model, 0.001, c.x, c.t_x, c."T") AS dert
FROM cdnow c JOIN cdnow_spend s USING (id),
     models b, models g, models p
WHERE b.name = 'bgnbd' AND g.name = 'gg' AND p.name = 'pnbd';
SELECT count(*) AS customers,
       round(avg(p_alive)::numeric, 4) AS mean_p_alive,
       round(sum(purchases_52)::numeric, 1) AS purchases_52,
       round(avg(spend)::numeric, 2) AS mean_spend,
       bool_and(clv_default = clv_explicit) AS clv_defaults_are_12_periods_of_1,
       bool_and(p_alive > 0 AND p_alive <= 1 AND clv_year > 0 AND dert > 0) AS in_range
FROM scores;
-- Customer 1 with the fitted models: the same numbers as FHL's (their printed precision).
SELECT round(p_alive::numeric, 3) AS p_alive FROM scores WHERE id = 1;

-- UPDATE with the model from a scalar subquery (parsed once for the statement).
ALTER TABLE cdnow ADD COLUMN p_alive float8;
UPDATE cdnow SET p_alive = ltv_p_alive((SELECT model FROM models WHERE name = 'bgnbd'),
                                       x, t_x, "T");
SELECT count(*) FILTER (WHERE c.p_alive = s.p_alive) AS equal_to_scores, count(*) AS customers
FROM cdnow c JOIN scores s USING (id);

-- Two models alternating row by row in one call site: each row gets its own model's value.
SELECT count(*) AS rows,
       count(*) FILTER (WHERE v = CASE WHEN i % 2 = 0 THEN v_fit ELSE v_pub END) AS right_model
FROM (SELECT i,
             ltv_p_alive(CASE WHEN i % 2 = 0 THEN f.model ELSE p.model END, 2, 30.43, 38.86) AS v,
             ltv_p_alive(f.model, 2, 30.43, 38.86) AS v_fit,
             ltv_p_alive(p.model, 2, 30.43, 38.86) AS v_pub
      FROM generate_series(1, 100) AS i, models f, published p WHERE f.name = 'bgnbd') q;

-- STRICT: a NULL argument gives NULL (no call); IMMUTABLE, PARALLEL SAFE.
SELECT ltv_p_alive(model, NULL, 1, 2) IS NULL AS null_x,
       ltv_p_alive(NULL, 1, 1, 2) IS NULL AS null_model,
       ltv_clv(model, NULL, 1, 1, 2, 10) IS NULL AS null_spend_model
FROM published;
SELECT proname, provolatile, proparallel, proisstrict FROM pg_proc
WHERE proname IN ('ltv_p_alive', 'ltv_expected_purchases', 'ltv_clv', 'ltv_dert',
                  'ltv_expected_spend')
ORDER BY proname, pronargs;
-- A new customer (x = 0, t_x = 0, T = 0, a first purchase at the end of the period) is alive.
SELECT round(ltv_p_alive(model, 0, 0, 0)::numeric, 4) AS new_customer FROM published;
