-- SPDX-License-Identifier: Apache-2.0
-- ltv_fit / ltv_fit_spend: aggregates over rows, on CDNOW (tests/data, tests/data/SOURCES.md).
-- Reference values: tests/data/references/*.json; compared at their printed precision.
CREATE EXTENSION ltv;
\getenv cdnow_summary LTV_CDNOW_SUMMARY
\getenv cdnow_spend LTV_CDNOW_SPEND
CREATE TABLE cdnow (id integer, x float8, t_x float8, "T" float8);
COPY cdnow FROM :'cdnow_summary' (FORMAT csv, HEADER);
CREATE TABLE cdnow_spend (id integer, x float8, t_x float8, "T" float8, zbar float8);
COPY cdnow_spend FROM :'cdnow_spend' (FORMAT csv, HEADER);

-- The customers compressed into weighted patterns: distinct (x, t_x, T) with counts.
CREATE TABLE patterns AS
SELECT x, t_x, "T", count(*)::float8 AS n FROM cdnow GROUP BY x, t_x, "T";
SELECT (SELECT count(*) FROM cdnow) AS customers, count(*) AS patterns, sum(n) AS weight
FROM patterns;

-- BG/NBD on the patterns. Fader, Hardie & Lee (2005), section 5, as printed (bgnbd.json,
-- parameter set "published" and fit "cdnow"): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426,
-- LL = -9582.4.
CREATE TABLE models AS
SELECT 'bgnbd'::text AS name, ltv_fit('bgnbd', x, t_x, "T", n) AS model FROM patterns;
SELECT model->>'model' AS kind,
       round((model->'params'->>'r')::numeric, 3) AS r,
       round((model->'params'->>'alpha')::numeric, 3) AS alpha,
       round((model->'params'->>'a')::numeric, 3) AS a,
       round((model->'params'->>'b')::numeric, 3) AS b,
       round((model->'fit'->>'log_likelihood')::numeric, 1) AS ll,
       model->'fit'->'converged' AS converged,
       model->'fit'->'total_weight' AS total_weight,
       model->'fit'->'rows_used' AS rows_used
FROM models WHERE name = 'bgnbd';

-- The weights count customers: the 2357 rows one by one give the same fit (1e-9 relative), and
-- doubled weights the same parameters with twice the log-likelihood.
WITH one_by_one AS (SELECT ltv_fit('bgnbd', x, t_x, "T") AS m FROM cdnow),
     doubled AS (SELECT ltv_fit('bgnbd', x, t_x, "T", 2 * n) AS m FROM patterns),
     p AS (SELECT model AS m FROM models WHERE name = 'bgnbd')
SELECT bool_and(abs((o.m->'params'->>k)::float8 / (p.m->'params'->>k)::float8 - 1) < 1e-9)
         AS unweighted_equal,
       bool_and(abs((d.m->'params'->>k)::float8 / (p.m->'params'->>k)::float8 - 1) < 1e-6)
         AS doubled_params_equal,
       abs((d.m->'fit'->>'log_likelihood')::float8
           / (2 * (p.m->'fit'->>'log_likelihood')::float8) - 1) < 1e-9 AS doubled_ll,
       (d.m->'fit'->>'total_weight')::float8 AS doubled_weight
FROM one_by_one o, doubled d, p, unnest(ARRAY['r', 'alpha', 'a', 'b']) AS k
GROUP BY d.m, p.m;

-- Any model of the registry, by name (no per-model code in the extension). Pareto/NBD
-- (pnbd.json fit "cdnow", lifetimes / FHL: r = 0.553, alpha = 10.578, s = 0.606, beta = 11.668,
-- LL = -9595.0) and MBG/NBD (mbgnbd.json, lifetimes: r = 0.525, alpha = 6.183, a = 0.891,
-- b = 1.614, LL = -9582.1).
INSERT INTO models SELECT 'pnbd', ltv_fit('pnbd', x, t_x, "T", n) FROM patterns;
INSERT INTO models SELECT 'mbgnbd', ltv_fit('mbgnbd', x, t_x, "T", n) FROM patterns;
SELECT name, p.key, round(p.value::numeric, 3) AS value,
       round((model->'fit'->>'log_likelihood')::numeric, 1) AS ll
FROM models, jsonb_each_text(model->'params') AS p
WHERE name IN ('pnbd', 'mbgnbd') ORDER BY name, p.key;

-- Gamma-Gamma on (x, mean repeat spend): the 946 repeat buyers are used, the other rows have
-- x = 0 (gg.json fit "cdnow_spend", lifetimes / Fader & Hardie 2013: p = 6.2488, q = 3.7446,
-- gamma = 15.4477, LL = -4055.923).
INSERT INTO models SELECT 'gg', ltv_fit_spend(x, zbar) FROM cdnow_spend;
SELECT model->>'model' AS kind,
       round((model->'params'->>'p')::numeric, 4) AS p,
       round((model->'params'->>'q')::numeric, 4) AS q,
       round((model->'params'->>'gamma')::numeric, 4) AS gamma,
       round((model->'fit'->>'log_likelihood')::numeric, 3) AS ll,
       model->'fit'->'rows_used' AS rows_used
FROM models WHERE name = 'gg';
-- ... and with weights: spend patterns (x, m) with counts give the same fit.
SELECT abs((s.m->'params'->>'p')::float8 / (g.model->'params'->>'p')::float8 - 1) < 1e-9
         AS weighted_equal
FROM (SELECT ltv_fit_spend(x, zbar, n) AS m
      FROM (SELECT x, zbar, count(*)::float8 AS n FROM cdnow_spend GROUP BY x, zbar) q) s,
     models g
WHERE g.name = 'gg';

-- No rows: no model (NULL), as other aggregates over no rows.
SELECT ltv_fit('bgnbd', x, t_x, "T", n) IS NULL AS no_rows FROM patterns WHERE false;
