-- SPDX-License-Identifier: Apache-2.0
-- Compression: customers with equal (x, t_x, T) are one weighted pattern. The fits' likelihoods
-- are sums over customers, so a fit on the patterns with their counts as weights is the fit on
-- the customers (ltv_fit(kind, x, t_x, "T", n)), on far fewer rows: CDNOW's 2357 customers in
-- weeks are 1016 patterns, a year of daily data of a million customers a few hundred thousand.
-- Needs summary.sql.

-- (x, t_x, T, n) of the summary at observation_end in the time unit.
CREATE OR REPLACE FUNCTION ltv_rfm_patterns(observation_end date, time_unit_days float8)
RETURNS TABLE (x float8, t_x float8, "T" float8, n float8)
LANGUAGE sql STABLE AS $$
  SELECT s.frequency, s.recency, s."T", count(*)::float8
  FROM ltv_customer_summary(observation_end, time_unit_days) s
  GROUP BY s.frequency, s.recency, s."T"
$$;

-- (x, m, n): the spend patterns of the repeat buyers, for ltv_fit_spend(x, m, n).
CREATE OR REPLACE FUNCTION ltv_spend_patterns(observation_end date, time_unit_days float8)
RETURNS TABLE (x float8, m float8, n float8)
LANGUAGE sql STABLE AS $$
  SELECT s.frequency, s.monetary_value, count(*)::float8
  FROM ltv_customer_summary(observation_end, time_unit_days) s
  WHERE s.frequency > 0
  GROUP BY s.frequency, s.monetary_value
$$;
