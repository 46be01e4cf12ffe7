-- SPDX-License-Identifier: Apache-2.0
-- The ERP side of examples/postgresql (README.md): run once, after the recipe
-- (bindings/postgresql/recipe/summary.sql, patterns.sql) and CREATE EXTENSION ltv. Idempotent.

-- An ERP's orders table (yours will differ: ltv_orders below is the only adapter).
CREATE TABLE IF NOT EXISTS erp_orders (
  order_id    bigserial PRIMARY KEY,
  customer_no text NOT NULL,
  ordered_at  timestamptz NOT NULL,
  net_amount  numeric(12, 2) NOT NULL,
  status      text NOT NULL DEFAULT 'invoiced'
);

-- The recipe's input: one row per order that counts, dated by the day (in the shop's time zone).
CREATE OR REPLACE VIEW ltv_orders AS
SELECT customer_no AS customer_id,
       (ordered_at AT TIME ZONE 'Europe/Berlin')::date AS order_date,
       net_amount AS amount
FROM erp_orders
WHERE status IN ('invoiced', 'paid');

-- What the nightly refresh uses: the time unit (7 = weeks) and the observation end (NULL: the
-- last order day).
CREATE TABLE IF NOT EXISTS ltv_settings (
  id              boolean PRIMARY KEY DEFAULT true CHECK (id),
  time_unit_days  float8 NOT NULL,
  observation_end date
);
INSERT INTO ltv_settings (time_unit_days) VALUES (7) ON CONFLICT (id) DO NOTHING;

-- The fitted models (model files as jsonb) and the scores, rewritten by refresh.sql.
CREATE TABLE IF NOT EXISTS ltv_models (
  name       text PRIMARY KEY,
  model      jsonb NOT NULL,
  fitted_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS customer_scores (
  customer_id     text PRIMARY KEY,
  frequency       float8 NOT NULL,
  recency         float8 NOT NULL,
  "T"             float8 NOT NULL,
  monetary_value  float8 NOT NULL,
  p_alive         float8 NOT NULL,
  purchases_52    float8 NOT NULL,  -- expected purchases in the next 52 time units
  clv_12          float8 NOT NULL,  -- CLV over 12 periods of 4.345 units, 1 % per period
  scored_at       timestamptz NOT NULL DEFAULT now()
);
