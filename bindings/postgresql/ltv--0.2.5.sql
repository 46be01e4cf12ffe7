-- SPDX-License-Identifier: Apache-2.0
-- ltv 0.2.5: fit aggregates and scoring functions on libltv's C API (docs/sql.md).
\echo Use "CREATE EXTENSION ltv" to load this file. \quit

-- The version of libltv.so the backend loaded.
CREATE FUNCTION ltv_version() RETURNS text
AS 'MODULE_PATHNAME', 'ltv_pg_version' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- fits: aggregates over rows, the model returned as its ltv model file (jsonb) -----------

-- ltv_fit(kind, x, t_x, T [, weight]): any model of the registry fitted on (x, t_x, T) rows
-- ('bgnbd', 'mbgnbd', 'pnbd', 'bgbb'); weight counts identical customers (patterns).
-- A NULL input is an error naming the row; no rows give NULL.
CREATE FUNCTION ltv_fit_rfm_step(internal, text, float8, float8, float8, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'ltv_pg_fit_rfm_step' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ltv_fit_rfm_step(internal, text, float8, float8, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'ltv_pg_fit_rfm_step' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ltv_fit_rfm_final(internal)
RETURNS jsonb AS 'MODULE_PATHNAME', 'ltv_pg_fit_rfm_final' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE ltv_fit(kind text, x float8, t_x float8, "T" float8, weight float8) (
    SFUNC = ltv_fit_rfm_step, STYPE = internal, FINALFUNC = ltv_fit_rfm_final,
    PARALLEL = SAFE);
CREATE AGGREGATE ltv_fit(kind text, x float8, t_x float8, "T" float8) (
    SFUNC = ltv_fit_rfm_step, STYPE = internal, FINALFUNC = ltv_fit_rfm_final,
    PARALLEL = SAFE);

-- ltv_fit_spend(x, m [, weight]): the Gamma-Gamma spend model on (frequency, mean repeat spend).
CREATE FUNCTION ltv_fit_spend_step(internal, float8, float8, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'ltv_pg_fit_spend_step' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ltv_fit_spend_step(internal, float8, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'ltv_pg_fit_spend_step' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ltv_fit_spend_final(internal)
RETURNS jsonb AS 'MODULE_PATHNAME', 'ltv_pg_fit_spend_final' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE ltv_fit_spend(x float8, m float8, weight float8) (
    SFUNC = ltv_fit_spend_step, STYPE = internal, FINALFUNC = ltv_fit_spend_final,
    PARALLEL = SAFE);
CREATE AGGREGATE ltv_fit_spend(x float8, m float8) (
    SFUNC = ltv_fit_spend_step, STYPE = internal, FINALFUNC = ltv_fit_spend_final,
    PARALLEL = SAFE);

-- ---- scoring: one customer per call; the model is parsed once per query and call site ------

-- P(alive | x, t_x, T).
CREATE FUNCTION ltv_p_alive(model jsonb, x float8, t_x float8, "T" float8) RETURNS float8
AS 'MODULE_PATHNAME', 'ltv_pg_p_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- E[purchases in (T, T + t] | x, t_x, T].
CREATE FUNCTION ltv_expected_purchases(model jsonb, t float8, x float8, t_x float8, "T" float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'ltv_pg_expected_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Discounted expected residual transactions (Pareto/NBD: continuous rate; BG/BB: per period).
CREATE FUNCTION ltv_dert(model jsonb, discount float8, x float8, t_x float8, "T" float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'ltv_pg_dert' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- E[spend per transaction | x, m] of a spend model.
CREATE FUNCTION ltv_expected_spend(spend_model jsonb, x float8, m float8) RETURNS float8
AS 'MODULE_PATHNAME', 'ltv_pg_expected_spend' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- CLV over 12 periods of one time unit, undiscounted (libltv's defaults, ltv_clv_options_init)...
CREATE FUNCTION ltv_clv(model jsonb, spend_model jsonb, x float8, t_x float8, "T" float8,
                        m float8) RETURNS float8
AS 'MODULE_PATHNAME', 'ltv_pg_clv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- ... or over `periods` periods of `period_length` time units discounted at `discount_rate` per
-- period.
CREATE FUNCTION ltv_clv(model jsonb, spend_model jsonb, x float8, t_x float8, "T" float8,
                        m float8, periods integer, period_length float8, discount_rate float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'ltv_pg_clv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
