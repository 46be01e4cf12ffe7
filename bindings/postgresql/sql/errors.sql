-- SPDX-License-Identifier: Apache-2.0
-- Bad input: a PostgreSQL error with a SQLSTATE and ltv's message naming the argument, row and
-- value — never a crash, a NaN or a dropped row (runs after fit and score).
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ECHO all

-- Model json that is not an ltv model (22P02), an unknown kind (22023).
SELECT ltv_p_alive('{"model": "bgnbd"}', 2, 30.43, 38.86);
SELECT ltv_p_alive('[1, 2]', 2, 30.43, 38.86);
SELECT ltv_p_alive('{"format": "ltv-model", "format_version": 1, "model": "nope",
                     "params": {"r": 1}}', 2, 30.43, 38.86);
SELECT ltv_p_alive('{"format": "ltv-model", "format_version": 1, "model": "bgnbd",
                     "params": {"r": -1, "alpha": 4, "a": 0.8, "b": 2.4}}', 2, 30.43, 38.86);
-- A model without parameters cannot score (22023).
SELECT ltv_p_alive('{"format": "ltv-model", "format_version": 1, "model": "bgnbd"}', 2, 1, 2);

-- Bad customers: negative x, t_x > T, NaN, infinity (22023, naming argument and value).
SELECT ltv_p_alive(model, -1, 0, 38.86) FROM published;
SELECT ltv_p_alive(model, 2, 40, 38.86) FROM published;
SELECT ltv_p_alive(model, 'NaN', 1, 38.86) FROM published;
SELECT ltv_expected_purchases(model, 'Infinity', 2, 1, 38.86) FROM published;
-- A bad row in the middle of a table names its value; nothing is written.
UPDATE cdnow SET p_alive = ltv_p_alive((SELECT model FROM published),
                                       CASE WHEN id = 1000 THEN -x - 1 ELSE x END, t_x, "T");
SELECT count(*) FILTER (WHERE p_alive IS NOT NULL) AS still_scored FROM cdnow;

-- The wrong kind of model for the function (22023, listing what the model supports).
SELECT ltv_dert(model, 0.1, 2, 30.43, 38.86) FROM published;
SELECT ltv_p_alive(model, 2, 30.43, 38.86) FROM models WHERE name = 'gg';
SELECT ltv_clv(g.model, g.model, 2, 30.43, 38.86, 20) FROM models g WHERE name = 'gg';
SELECT ltv_expected_spend(model, 2, -5) FROM models WHERE name = 'gg';

-- Fits: unknown kind, a spend model in ltv_fit, NULLs (22004, naming row and column), mixed
-- kinds, negative x, t_x > T, negative weights, NaN spend.
SELECT ltv_fit('nope', x, t_x, "T") FROM patterns;
SELECT ltv_fit('gg', x, t_x, "T") FROM patterns;
SELECT ltv_fit(NULL, x, t_x, "T") FROM patterns;
SELECT ltv_fit('bgnbd', x, CASE WHEN x = 3 THEN NULL ELSE t_x END, "T", n)
FROM (SELECT * FROM patterns ORDER BY x, t_x, "T") p;
SELECT ltv_fit('bgnbd', x, t_x, "T", NULL) FROM patterns;
SELECT ltv_fit(CASE WHEN x = 5 THEN 'pnbd' ELSE 'bgnbd' END, x, t_x, "T")
FROM (SELECT * FROM patterns ORDER BY x, t_x, "T") p;
SELECT ltv_fit('bgnbd', x, t_x, "T") FROM (VALUES (1, 1, 10), (-2, 1, 10)) AS c(x, t_x, "T");
SELECT ltv_fit('bgnbd', x, t_x, "T") FROM (VALUES (1, 11, 10)) AS c(x, t_x, "T");
SELECT ltv_fit('bgnbd', x, t_x, "T", w)
FROM (VALUES (1, 1, 10, 1), (0, 0, 10, -3)) AS c(x, t_x, "T", w);
SELECT ltv_fit_spend(x, m) FROM (VALUES (2, 10.0::float8), (3, 'NaN'::float8)) AS c(x, m);

-- The backend is still there, and the extension still works.
SELECT round(ltv_p_alive(model, 2, 30.43, 38.86)::numeric, 4) AS p_alive FROM published;
