-- SPDX-License-Identifier: Apache-2.0
-- The nightly refresh of examples/postgresql (README.md): summary → patterns → fits → scores,
-- in one transaction, SQL only. Idempotent: run it as often as you like, e.g. from cron:
--   psql -X -v ON_ERROR_STOP=1 -d shop -f examples/postgresql/refresh.sql
BEGIN;

-- 1. The summary of every customer as of the observation end (the recipe).
CREATE TEMPORARY TABLE summary ON COMMIT DROP AS
SELECT s.* FROM ltv_settings, ltv_customer_summary(observation_end, time_unit_days) s;

-- 2. Fits on weighted patterns: BG/NBD on (x, t_x, T), Gamma-Gamma on the repeat buyers' spend.
INSERT INTO ltv_models (name, model)
SELECT 'bgnbd', ltv_fit('bgnbd', x, t_x, "T", n)
FROM (SELECT frequency AS x, recency AS t_x, "T", count(*)::float8 AS n
      FROM summary GROUP BY 1, 2, 3) patterns
ON CONFLICT (name) DO UPDATE SET model = excluded.model, fitted_at = now();

INSERT INTO ltv_models (name, model)
SELECT 'gg', ltv_fit_spend(x, m, n)
FROM (SELECT frequency AS x, monetary_value AS m, count(*)::float8 AS n
      FROM summary WHERE frequency > 0 GROUP BY 1, 2) patterns
ON CONFLICT (name) DO UPDATE SET model = excluded.model, fitted_at = now();

-- 3. The scores: every customer rewritten (customers gone from the orders are removed).
DELETE FROM customer_scores c WHERE NOT EXISTS
  (SELECT 1 FROM summary s WHERE s.customer_id = c.customer_id);
INSERT INTO customer_scores (customer_id, frequency, recency, "T", monetary_value, p_alive,
                             purchases_52, clv_12)
SELECT s.customer_id, s.frequency, s.recency, s."T", s.monetary_value,
       ltv_p_alive(b.model, s.frequency, s.recency, s."T"),
       ltv_expected_purchases(b.model, 52, s.frequency, s.recency, s."T"),
       ltv_clv(b.model, g.model, s.frequency, s.recency, s."T", s.monetary_value,
               periods => 12, period_length => 4.345, discount_rate => 0.01)
FROM summary s,
     (SELECT model FROM ltv_models WHERE name = 'bgnbd') b,
     (SELECT model FROM ltv_models WHERE name = 'gg') g
ON CONFLICT (customer_id) DO UPDATE SET
  frequency = excluded.frequency, recency = excluded.recency, "T" = excluded."T",
  monetary_value = excluded.monetary_value, p_alive = excluded.p_alive,
  purchases_52 = excluded.purchases_52, clv_12 = excluded.clv_12, scored_at = now();

COMMIT;
