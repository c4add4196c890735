// SPDX-License-Identifier: GPL-2.0
/*
 * The environment-enum parser (guard_env.h): one table gives the names
 * a variable takes, its default, and the list an error message prints;
 * CRIU_GUARD_DISABLE's list of names through the same table parser.
 */
#include <errno.h>

#include "guard_env.h"
#include "guard_features.h"
#include "guard_hwbp.h"
#include "guard_scan.h"
#include "unit.h"

static const struct guard_env_name colours[] = {
	{ "red", 1 },
	{ "green", 2 },
	{ "verde", 2 }, /* an alias: "green" stays the name of 2 */
	{ "blue", 3 },
};

static const struct guard_env_enum colour_env = { "GUARD_TEST_COLOUR", colours,
						  UNIT_ARRAY_SIZE(colours),
						  "blue" };

static void test_parse(void)
{
	static const char *const bad[] = { "Red", "red ", " red",
					   "gr",  "1",	  "red,blue" };
	int v = 0;

	EXPECT_EQ(guard_env_parse(&colour_env, "red", &v), 0);
	EXPECT_EQ(v, 1);
	EXPECT_EQ(guard_env_parse(&colour_env, "verde", &v), 0);
	EXPECT_EQ(v, 2);
	/* Unset and empty both stand for the table's default. */
	EXPECT_EQ(guard_env_parse(&colour_env, NULL, &v), 0);
	EXPECT_EQ(v, 3);
	v = 0;
	EXPECT_EQ(guard_env_parse(&colour_env, "", &v), 0);
	EXPECT_EQ(v, 3);
	for (size_t i = 0; i < UNIT_ARRAY_SIZE(bad); i++) {
		v = 42;
		EXPECT_MSG(guard_env_parse(&colour_env, bad[i], &v) == -EINVAL,
			   "\"%s\" accepted", bad[i]);
		EXPECT_MSG(v == 42, "\"%s\" changed the value", bad[i]);
	}
}

static void test_names(void)
{
	static const struct guard_env_enum one = { "X", colours, 1, "red" };
	static const struct guard_env_enum two = { "X", colours, 2, "red" };
	char buf[64];

	EXPECT(!strcmp(guard_env_name(&colour_env, 2), "green"));
	EXPECT(!strcmp(guard_env_name(&colour_env, 9), "?"));
	guard_env_names(&colour_env, buf, sizeof(buf));
	EXPECT_MSG(!strcmp(buf, "red, green, verde or blue"), "got \"%s\"",
		   buf);
	guard_env_names(&one, buf, sizeof(buf));
	EXPECT_MSG(!strcmp(buf, "red"), "got \"%s\"", buf);
	guard_env_names(&two, buf, sizeof(buf));
	EXPECT_MSG(!strcmp(buf, "red or green"), "got \"%s\"", buf);
	/* Too small a buffer: cut, terminated, no overrun. */
	memset(buf, 'x', sizeof(buf));
	guard_env_names(&colour_env, buf, 8);
	EXPECT_MSG(!strcmp(buf, "red, gr"), "got \"%s\"", buf);
	EXPECT_EQ(buf[9], 'x');
}

static void test_load(void)
{
	int v = 7;

	unsetenv("GUARD_TEST_COLOUR");
	EXPECT_EQ(guard_env_load(&colour_env, &v), 0);
	EXPECT_EQ(v, 3);
	setenv("GUARD_TEST_COLOUR", "red", 1);
	EXPECT_EQ(guard_env_load(&colour_env, &v), 0);
	EXPECT_EQ(v, 1);
	v = 7;
	setenv("GUARD_TEST_COLOUR", "purple", 1);
	EXPECT_EQ(guard_env_load(&colour_env, &v), -EINVAL);
	EXPECT_EQ(v, 7);
	unsetenv("GUARD_TEST_COLOUR");
}

/* The project's own tables: each name parses back to its value. */
static void test_tables(void)
{
	const struct guard_env_enum *tables[] = { &guard_hwbp_env,
						  &guard_scan_env };

	for (size_t t = 0; t < UNIT_ARRAY_SIZE(tables); t++) {
		const struct guard_env_enum *e = tables[t];
		int v, dflt;

		EXPECT_EQ(guard_env_parse(e, NULL, &dflt), 0);
		for (size_t i = 0; i < e->n; i++) {
			EXPECT_EQ(guard_env_parse(e, e->names[i].name, &v), 0);
			EXPECT_MSG(v == e->names[i].value, "%s=%s", e->var,
				   e->names[i].name);
		}
	}
	/* The scan modes' names parse back to the same mode. */
	for (int i = GUARD_SCAN_FULL; i <= GUARD_SCAN_SMAPS; i++) {
		int v = -1;

		EXPECT_EQ(guard_env_parse(&guard_scan_env,
					  guard_scan_mode_name(i), &v),
			  0);
		EXPECT_EQ(v, i);
	}
}

/*
 * What the project's variables take, and what they refuse (case, blanks,
 * lists, numbers) without touching the value.  NULL: unset; -1: refused.
 */
static void test_values(void)
{
	const struct guard_env_enum *hwbp = &guard_hwbp_env,
				    *scan = &guard_scan_env;
	const struct {
		const struct guard_env_enum *e;
		const char *s;
		int want;
	} cases[] = {
		{ hwbp, NULL, GUARD_HWBP_AUTO },
		{ hwbp, "", GUARD_HWBP_AUTO },
		{ hwbp, "off", GUARD_HWBP_OFF },
		{ hwbp, "broken", GUARD_HWBP_BROKEN },
		{ hwbp, "Broken", -1 },
		{ hwbp, "1", -1 },
		/* "auto" names the default, the single scan, not a mode. */
		{ scan, "auto", GUARD_SCAN_FULL },
		{ scan, "scan", GUARD_SCAN_FULL },
		{ scan, "smaps", GUARD_SCAN_SMAPS },
		{ scan, NULL, GUARD_SCAN_FULL },
		{ scan, "", GUARD_SCAN_FULL }, /* CRIU_GUARD_SCAN= */
		{ scan, "full", -1 },
		{ scan, "SCAN", -1 },
		{ scan, "Auto", -1 },
		{ scan, "scan ", -1 },
		{ scan, " smaps", -1 },
		{ scan, "smaps,scan", -1 },
		{ scan, "1", -1 },
	};

	for (size_t i = 0; i < UNIT_ARRAY_SIZE(cases); i++) {
		int v = 42, ret = guard_env_parse(cases[i].e, cases[i].s, &v);

		if (cases[i].want < 0) {
			EXPECT_MSG(ret == -EINVAL && v == 42,
				   "%s=\"%s\" accepted or changed the value",
				   cases[i].e->var, cases[i].s);
			continue;
		}
		EXPECT_MSG(!ret && v == cases[i].want, "%s=%s: %d, %d",
			   cases[i].e->var, cases[i].s ? cases[i].s : "(unset)",
			   ret, v);
	}
}

/*
 * The features left, one digit each: madv scan pagemap smaps batch
 * pidfd_self nspid.
 */
static void features_bits(const struct guard_features *f, char out[8])
{
	snprintf(out, 8, "%d%d%d%d%d%d%d", f->madv_guard, f->scan_guard,
		 f->pagemap_bit, f->smaps_flag, f->batch, f->pidfd_self,
		 f->nspid);
}

/* CRIU_GUARD_DISABLE: a list of names from one table, each a mask. */
static void test_disable(void)
{
	static const struct {
		const char *disable, *left;
	} cases[] = {
		{ "madv", "0000001" },		{ "scan", "1011111" },
		{ "pagemap,smaps", "1100111" }, { "batch", "1111001" },
		{ "pidfd_self", "1111101" },	{ "nspid", "1111110" },
		{ "bogus,scan,", "1011111" },	{ "", "1111111" },
	};

	for (size_t i = 0; i < UNIT_ARRAY_SIZE(cases); i++) {
		struct guard_features f = { .madv_guard = true,
					    .scan_guard = true,
					    .pagemap_bit = true,
					    .smaps_flag = true,
					    .batch = true,
					    .pidfd_self = true,
					    .nspid = true };
		char left[8];

		guard_features_mask(&f, cases[i].disable);
		features_bits(&f, left);
		EXPECT_MSG(!strcmp(left, cases[i].left),
			   "CRIU_GUARD_DISABLE=%s leaves %s, want %s",
			   cases[i].disable, left, cases[i].left);
	}
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "parse", test_parse },   { "names", test_names },
		{ "load", test_load },	   { "tables", test_tables },
		{ "values", test_values }, { "disable", test_disable },
	};

	return unit_run("env", tests, UNIT_ARRAY_SIZE(tests));
}
