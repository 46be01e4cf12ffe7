/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ltv_pg.c — the PostgreSQL extension `ltv` (CREATE EXTENSION ltv): fit aggregates and scoring
 * functions on libltv's stable C API (ltv.h only; docs/sql.md).
 *
 *  - Models travel as jsonb: the model file text of ltv_model_to_json / ltv_model_from_json.
 *  - A scoring function parses its model once per query: the parsed ltv_model is cached in
 *    fn_extra, keyed by the model datum's bytes as stored (a toast pointer for a toasted value,
 *    else the varlena itself), and freed by a reset callback of the function's memory context.
 *  - Every ltv status becomes an ereport with a SQLSTATE (ltv_status_sqlstate) and ltv's message
 *    (ltv_last_error); no ltv handle outlives an error (PG_FINALLY, reset callbacks).
 *  - libltv's batch thread pool is not used inside a backend unless ltv.threads asks for it:
 *    its worker threads start with every signal blocked (libltv does this itself), so
 *    PostgreSQL's handlers run on the backend's own thread, which is never masked.
 */
#include "postgres.h"

#include <math.h>
#include <string.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"


#include "ltv/ltv.h"

PG_MODULE_MAGIC;

/* ---- settings --------------------------------------------------------------------------- */

/* ltv.threads: threads of a fit's batch work (ltv_model_set_threads); 1 = the backend only. */
static int ltv_pg_threads = 1;

void _PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("ltv.threads",
							"Threads used by ltv fits inside a backend (1: the backend only).",
							"0 = libltv's automatic choice (the CPUs of the process); worker "
							"threads run with all signals blocked.",
							&ltv_pg_threads, 1, 0, 256, PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("ltv");
}

/* ---- errors ----------------------------------------------------------------------------- */

static int
ltv_status_sqlstate(int status)
{
	switch (status)
	{
		case LTV_ERR_INVALID_ARGUMENT:
		case LTV_ERR_NOT_FITTED:
			return ERRCODE_INVALID_PARAMETER_VALUE; /* 22023 */
		case LTV_ERR_PARSE:
			return ERRCODE_INVALID_TEXT_REPRESENTATION; /* 22P02 */
		case LTV_ERR_DOMAIN:
			return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;	/* 22003 */
		case LTV_ERR_NO_CONVERGENCE:
			return ERRCODE_DATA_EXCEPTION;	/* 22000 */
		case LTV_ERR_OUT_OF_MEMORY:
			return ERRCODE_OUT_OF_MEMORY;	/* 53200 */
		case LTV_ERR_IO:
			return ERRCODE_IO_ERROR;	/* 58030 */
		case LTV_ERR_CANCELLED:
			return ERRCODE_QUERY_CANCELED;	/* 57014 */
		default:
			return ERRCODE_INTERNAL_ERROR;	/* XX000 */
	}
}

/*
 * ltv's message in SQL's words: ltv names array elements ('frequency[3]'); a scoring function
 * passes one customer (row_base 0: 'x'), a fit aggregate its input rows in order (row_base 1:
 * 'x' of row 4). Other text is kept as it is.
 */
static char *
ltv_pg_message(const char *message, int row_base)
{
	static const char *const names[][2] = {
		{"frequency", "x"}, {"recency", "t_x"}, {"T", "T"}, {"monetary", "m"},
		{"weights", "weight"}};
	StringInfoData out;
	const char *p = message;

	initStringInfo(&out);
	while (*p)
	{
		bool		done = false;
		size_t		i;

		if (*p == '\'')
		{
			for (i = 0; i < lengthof(names) && !done; ++i)
			{
				size_t		len = strlen(names[i][0]);
				char	   *end;
				unsigned long idx;

				if (strncmp(p + 1, names[i][0], len) != 0 || p[1 + len] != '[')
					continue;
				idx = strtoul(p + 2 + len, &end, 10);
				if (end == p + 2 + len || end[0] != ']' || end[1] != '\'')
					continue;
				if (row_base == 0)
					appendStringInfo(&out, "'%s'", names[i][1]);
				else
					appendStringInfo(&out, "'%s' of row %lu", names[i][1], idx + 1);
				p = end + 2;
				done = true;
			}
		}
		if (!done)
			appendStringInfoChar(&out, *p++);
	}
	return out.data;
}

/* Raises the PostgreSQL error for a failed ltv call made by `fn`; the message is ltv's. */
static void
ltv_pg_fail_rows(const char *fn, int status, int row_base) pg_attribute_noreturn();

static void
ltv_pg_fail_rows(const char *fn, int status, int row_base)
{
	/* copy first: ltv_last_error is valid until the thread's next ltv call */
	const char *raw = ltv_last_error();
	char	   *message = raw[0] ? ltv_pg_message(raw, row_base) : pstrdup(ltv_status_name(status));

	ereport(ERROR,
			(errcode(ltv_status_sqlstate(status)),
			 errmsg("%s: %s", fn, message),
			 errhint("ltv status: %s", ltv_status_name(status))));
}

static void
ltv_pg_fail(const char *fn, int status) pg_attribute_noreturn();

static void
ltv_pg_fail(const char *fn, int status)
{
	ltv_pg_fail_rows(fn, status, 0);
}

#define LTV_CHECK(fn, call) \
	do { \
		int			ltv_status_ = (call); \
		if (ltv_status_ != LTV_OK) \
			ltv_pg_fail((fn), ltv_status_); \
	} while (0)

/* ---- models from jsonb, cached per call site -------------------------------------------- */

/* The model file text of a jsonb value, parsed by libltv; the caller frees the handle. */
static ltv_model *
ltv_pg_model_from_jsonb(const char *fn, Jsonb *jb)
{
	char	   *text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	ltv_model  *model = NULL;
	int			status = ltv_model_from_json(text, strlen(text), &model);

	pfree(text);
	if (status != LTV_OK)
		ltv_pg_fail(fn, status);
	return model;
}

typedef struct ltv_pg_cache_entry
{
	Size		key_size;		/* bytes of key */
	char	   *key;			/* the datum as stored (toast pointer or varlena) */
	ltv_model  *model;
} ltv_pg_cache_entry;

#define LTV_PG_CACHE_SLOTS 2	/* ltv_clv has two model arguments */

typedef struct ltv_pg_cache
{
	MemoryContext context;		/* fn_mcxt: lives as long as the query's expression */
	ltv_pg_cache_entry slots[LTV_PG_CACHE_SLOTS];
} ltv_pg_cache;

static void
ltv_pg_cache_release(void *arg)
{
	ltv_pg_cache *cache = (ltv_pg_cache *) arg;
	int			i;

	for (i = 0; i < LTV_PG_CACHE_SLOTS; ++i)
	{
		ltv_model_free(cache->slots[i].model);
		cache->slots[i].model = NULL;
	}
}

static ltv_pg_cache *
ltv_pg_get_cache(FunctionCallInfo fcinfo)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;

	if (flinfo->fn_extra == NULL)
	{
		ltv_pg_cache *cache = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(ltv_pg_cache));
		MemoryContextCallback *cb = MemoryContextAllocZero(flinfo->fn_mcxt,
														   sizeof(MemoryContextCallback));

		cache->context = flinfo->fn_mcxt;
		cb->func = ltv_pg_cache_release;
		cb->arg = cache;
		MemoryContextRegisterResetCallback(flinfo->fn_mcxt, cb);
		flinfo->fn_extra = cache;
	}
	return (ltv_pg_cache *) flinfo->fn_extra;
}

/*
 * The model of argument `argno`, parsed at most once per distinct value and call site. The key is
 * the datum as passed: equal bytes are an equal model (a toast pointer names one immutable
 * stored value); different bytes of an equal model (recompressed copies) only cost a parse.
 */
static const ltv_model *
ltv_pg_model_arg(FunctionCallInfo fcinfo, int argno, int slot, const char *fn)
{
	ltv_pg_cache *cache = ltv_pg_get_cache(fcinfo);
	ltv_pg_cache_entry *entry = &cache->slots[slot];
	struct varlena *raw = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));
	Size		size;
	ltv_model  *model;

	if (VARATT_IS_EXTERNAL_EXPANDED(raw) || VARATT_IS_EXTERNAL_INDIRECT(raw))
		raw = pg_detoast_datum_copy(raw);	/* in-memory forms: key on the flat value */
	size = VARSIZE_ANY(raw);

	if (entry->model != NULL && entry->key_size == size && memcmp(entry->key, raw, size) == 0)
		return entry->model;

	/* a miss: parse (an error leaves the entry empty: nothing to leak) */
	ltv_model_free(entry->model);
	entry->model = NULL;
	model = ltv_pg_model_from_jsonb(fn, DatumGetJsonbP(PointerGetDatum(raw)));

	if (entry->key == NULL || entry->key_size < size)
	{
		if (entry->key)
			pfree(entry->key);
		entry->key = MemoryContextAlloc(cache->context, size);
	}
	memcpy(entry->key, raw, size);
	entry->key_size = size;
	entry->model = model;
	return model;
}

/* jsonb of a model handle (ltv_model_to_json). */
static Datum
ltv_pg_model_to_jsonb(const char *fn, const ltv_model *model)
{
	size_t		size = 0;
	char	   *text;

	LTV_CHECK(fn, ltv_model_to_json(model, NULL, 0, &size));
	text = palloc(size);
	LTV_CHECK(fn, ltv_model_to_json(model, text, size, &size));
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(text));
}

/* ---- the fit aggregates ----------------------------------------------------------------- */

typedef struct ltv_pg_fit_state
{
	char	   *kind_name;		/* model name as given (fixed by the first row) */
	int			kind;
	bool		spend;			/* ltv_fit_spend: (x, m, weight) */
	Size		n;
	Size		capacity;
	double	   *a;				/* x */
	double	   *b;				/* t_x, or m for spend */
	double	   *c;				/* T */
	double	   *w;				/* weights */
} ltv_pg_fit_state;

static void
ltv_pg_grow(ltv_pg_fit_state *s)
{
	Size		cap = s->capacity ? s->capacity * 2 : 1024;

	if (s->capacity == 0)
	{
		s->a = palloc(cap * sizeof(double));
		s->b = palloc(cap * sizeof(double));
		s->c = s->spend ? NULL : palloc(cap * sizeof(double));
		s->w = palloc(cap * sizeof(double));
	}
	else
	{
		s->a = repalloc_huge(s->a, cap * sizeof(double));
		s->b = repalloc_huge(s->b, cap * sizeof(double));
		if (!s->spend)
			s->c = repalloc_huge(s->c, cap * sizeof(double));
		s->w = repalloc_huge(s->w, cap * sizeof(double));
	}
	s->capacity = cap;
}

/* A value of aggregate input row `row` (1-based); NULL is an error naming row and column. */
static double
ltv_pg_fit_value(FunctionCallInfo fcinfo, int argno, const char *fn, const char *column, Size row)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: row %zu: %s is NULL", fn, row, column),
				 errhint("Every row of a fit counts; filter or fill NULLs in the query.")));
	return PG_GETARG_FLOAT8(argno);
}

static ltv_pg_fit_state *
ltv_pg_fit_transition(FunctionCallInfo fcinfo, const char *fn, bool spend)
{
	MemoryContext aggcontext;
	MemoryContext old;
	ltv_pg_fit_state *s;
	int			first = spend ? 1 : 2;	/* argument 0 is the state; 1 the kind (rfm fits) */
	int			nargs = PG_NARGS();
	Size		row;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", fn);

	old = MemoryContextSwitchTo(aggcontext);
	if (PG_ARGISNULL(0))
	{
		s = palloc0(sizeof(ltv_pg_fit_state));
		s->spend = spend;
		if (spend)
		{
			const char *name;

			s->kind = LTV_MODEL_GAMMA_GAMMA;
			LTV_CHECK(fn, ltv_model_kind_name(s->kind, &name));
			s->kind_name = pstrdup(name);
		}
		else
		{
			int			supports = 0;

			if (PG_ARGISNULL(1))
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("%s: row 1: the model kind is NULL", fn)));
			s->kind_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
			LTV_CHECK(fn, ltv_model_kind_from_name(s->kind_name, &s->kind));
			LTV_CHECK(fn, ltv_model_kind_supports(s->kind, LTV_CAP_FIT_RFM, &supports));
			if (!supports)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: the model '%s' is not fitted on (x, t_x, T) rows", fn,
								s->kind_name),
						 errhint("Spend models: ltv_fit_spend(x, m, weight).")));
		}
	}
	else
		s = (ltv_pg_fit_state *) PG_GETARG_POINTER(0);

	row = s->n + 1;
	if (!spend)
	{
		char	   *name;

		if (PG_ARGISNULL(1))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: row %zu: the model kind is NULL", fn, row)));
		name = text_to_cstring(PG_GETARG_TEXT_PP(1));
		if (strcmp(name, s->kind_name) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: row %zu: the model kind '%s' differs from '%s' of the rows before",
							fn, row, name, s->kind_name)));
		pfree(name);
	}
	if (s->n == s->capacity)
		ltv_pg_grow(s);
	s->a[s->n] = ltv_pg_fit_value(fcinfo, first, fn, "x", row);
	s->b[s->n] = ltv_pg_fit_value(fcinfo, first + 1, fn, spend ? "m" : "t_x", row);
	if (!spend)
		s->c[s->n] = ltv_pg_fit_value(fcinfo, first + 2, fn, "T", row);
	s->w[s->n] = nargs > first + (spend ? 2 : 3)
		? ltv_pg_fit_value(fcinfo, first + (spend ? 2 : 3), fn, "weight", row)
		: 1.0;
	s->n++;
	MemoryContextSwitchTo(old);
	return s;
}

PG_FUNCTION_INFO_V1(ltv_pg_fit_rfm_step);
Datum
ltv_pg_fit_rfm_step(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(ltv_pg_fit_transition(fcinfo, "ltv_fit", false));
}

PG_FUNCTION_INFO_V1(ltv_pg_fit_spend_step);
Datum
ltv_pg_fit_spend_step(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(ltv_pg_fit_transition(fcinfo, "ltv_fit_spend", true));
}

/* The fit's cancel callback: a pending query cancel or termination stops the fit (the error is
 * then raised by CHECK_FOR_INTERRUPTS on the backend's side, never from inside libltv). */
static int
ltv_pg_cancel(void *user)
{
	(void) user;
	return (QueryCancelPending || ProcDiePending) ? 1 : 0;
}

static Datum
ltv_pg_fit_final(FunctionCallInfo fcinfo, const char *fn)
{
	ltv_pg_fit_state *s;
	ltv_model  *volatile model = NULL;
	volatile Datum result = (Datum) 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();		/* no rows: no model, as other aggregates over no rows */
	s = (ltv_pg_fit_state *) PG_GETARG_POINTER(0);

	PG_TRY();
	{
		ltv_fit_options options;
		int			status;

		LTV_CHECK(fn, ltv_model_create(s->kind, (ltv_model **) &model));
		LTV_CHECK(fn, ltv_model_set_threads(model, ltv_pg_threads));
		LTV_CHECK(fn, ltv_fit_options_init(&options, sizeof options));
		options.cancel = ltv_pg_cancel;

		/* libltv's pool workers start with every signal blocked (ltv/detail/parallel.hpp), so
		 * SIGINT, SIGALRM and SIGTERM keep reaching this backend thread during the fit and a
		 * cancel or statement_timeout stops it through ltv_pg_cancel */
		if (s->spend)
			status = ltv_model_fit_spend(model, s->a, s->b, s->w, s->n, &options);
		else
			status = ltv_model_fit_rfm(model, s->a, s->b, s->c, s->w, s->n, &options);
		if (status == LTV_ERR_CANCELLED)
			CHECK_FOR_INTERRUPTS();
		if (status != LTV_OK)
			ltv_pg_fail_rows(fn, status, 1);
		result = ltv_pg_model_to_jsonb(fn, model);
	}
	PG_FINALLY();
	{
		ltv_model_free(model);
	}
	PG_END_TRY();
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(ltv_pg_fit_rfm_final);
Datum
ltv_pg_fit_rfm_final(PG_FUNCTION_ARGS)
{
	return ltv_pg_fit_final(fcinfo, "ltv_fit");
}

PG_FUNCTION_INFO_V1(ltv_pg_fit_spend_final);
Datum
ltv_pg_fit_spend_final(PG_FUNCTION_ARGS)
{
	return ltv_pg_fit_final(fcinfo, "ltv_fit_spend");
}

/* ---- scoring: one customer per call, the parsed model cached ---------------------------- */

/* P(alive) of one customer: the batch entry with n = 1 (its per-batch tables are sized by the
 * batch, so a one-row call costs about one evaluation). */
PG_FUNCTION_INFO_V1(ltv_pg_p_alive);
Datum
ltv_pg_p_alive(PG_FUNCTION_ARGS)
{
	const char *fn = "ltv_p_alive";
	const ltv_model *model = ltv_pg_model_arg(fcinfo, 0, 0, fn);
	double		x = PG_GETARG_FLOAT8(1),
				t_x = PG_GETARG_FLOAT8(2),
				T = PG_GETARG_FLOAT8(3),
				out;

	LTV_CHECK(fn, ltv_model_p_alive(model, &x, &t_x, &T, 1, &out));
	PG_RETURN_FLOAT8(out);
}

PG_FUNCTION_INFO_V1(ltv_pg_expected_purchases);
Datum
ltv_pg_expected_purchases(PG_FUNCTION_ARGS)
{
	const char *fn = "ltv_expected_purchases";
	const ltv_model *model = ltv_pg_model_arg(fcinfo, 0, 0, fn);
	double		t = PG_GETARG_FLOAT8(1),
				x = PG_GETARG_FLOAT8(2),
				t_x = PG_GETARG_FLOAT8(3),
				T = PG_GETARG_FLOAT8(4),
				out;

	LTV_CHECK(fn, ltv_model_expected_purchases(model, t, &x, &t_x, &T, 1, &out));
	PG_RETURN_FLOAT8(out);
}

PG_FUNCTION_INFO_V1(ltv_pg_dert);
Datum
ltv_pg_dert(PG_FUNCTION_ARGS)
{
	const char *fn = "ltv_dert";
	const ltv_model *model = ltv_pg_model_arg(fcinfo, 0, 0, fn);
	double		discount = PG_GETARG_FLOAT8(1),
				x = PG_GETARG_FLOAT8(2),
				t_x = PG_GETARG_FLOAT8(3),
				T = PG_GETARG_FLOAT8(4),
				out;

	LTV_CHECK(fn, ltv_model_dert(model, discount, &x, &t_x, &T, 1, &out));
	PG_RETURN_FLOAT8(out);
}

PG_FUNCTION_INFO_V1(ltv_pg_expected_spend);
Datum
ltv_pg_expected_spend(PG_FUNCTION_ARGS)
{
	const char *fn = "ltv_expected_spend";
	const ltv_model *model = ltv_pg_model_arg(fcinfo, 0, 0, fn);
	double		x = PG_GETARG_FLOAT8(1),
				m = PG_GETARG_FLOAT8(2),
				out;

	LTV_CHECK(fn, ltv_model_expected_spend(model, &x, &m, 1, &out));
	PG_RETURN_FLOAT8(out);
}

/* ltv_clv(model, spend_model, x, t_x, T, m [, periods, period_length, discount_rate]): without
 * the options, ltv_clv_options_init's defaults (defined once, in libltv). */
PG_FUNCTION_INFO_V1(ltv_pg_clv);
Datum
ltv_pg_clv(PG_FUNCTION_ARGS)
{
	const char *fn = "ltv_clv";
	const ltv_model *model = ltv_pg_model_arg(fcinfo, 0, 0, fn);
	const ltv_model *spend = ltv_pg_model_arg(fcinfo, 1, 1, fn);
	double		x = PG_GETARG_FLOAT8(2),
				t_x = PG_GETARG_FLOAT8(3),
				T = PG_GETARG_FLOAT8(4),
				m = PG_GETARG_FLOAT8(5),
				out;
	ltv_clv_options options;

	LTV_CHECK(fn, ltv_clv_options_init(&options, sizeof options));
	if (PG_NARGS() > 6)
	{
		options.periods = PG_GETARG_INT32(6);
		options.period_length = PG_GETARG_FLOAT8(7);
		options.discount_rate = PG_GETARG_FLOAT8(8);
	}
	LTV_CHECK(fn, ltv_customer_lifetime_value(model, spend, &x, &t_x, &T, &m, 1, &options, &out));
	PG_RETURN_FLOAT8(out);
}

/* ltv_version(): the version of the libltv.so the backend loaded. */
PG_FUNCTION_INFO_V1(ltv_pg_version);
Datum
ltv_pg_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(ltv_version_string()));
}
