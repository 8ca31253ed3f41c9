import type { Migration } from 'kysely';
import * as m0001 from './0001_accounts';
import * as m0002 from './0002_networks';
import * as m0003 from './0003_runs';
import * as m0004 from './0004_hosted';
import * as m0005 from './0005_audience';
import * as m0006 from './0006_analysis';
import * as m0007 from './0007_display_names';
import * as m0008 from './0008_availability';
import * as m0009 from './0009_drop_output_hash';
import * as m0010 from './0010_run_leases';
import * as m0011 from './0011_assets';
import * as m0012 from './0012_network_versions';
import * as m0013 from './0013_version_editors';
import * as m0014 from './0014_experiments';
import * as m0015 from './0015_long_runs';
import * as m0016 from './0016_run_lanes';
import * as m0017 from './0017_atlas_cache';

/**
 * Every migration, by name, in order. A static list (rather than reading the folder at run
 * time) lets the same migrations ship inside the production bundle, the dev server and tests.
 */
export const migrations: Record<string, Migration> = {
	'0001_accounts': m0001,
	'0002_networks': m0002,
	'0003_runs': m0003,
	'0004_hosted': m0004,
	'0005_audience': m0005,
	'0006_analysis': m0006,
	'0007_display_names': m0007,
	'0008_availability': m0008,
	'0009_drop_output_hash': m0009,
	'0010_run_leases': m0010,
	'0011_assets': m0011,
	'0012_network_versions': m0012,
	'0013_version_editors': m0013,
	'0014_experiments': m0014,
	'0015_long_runs': m0015,
	'0016_run_lanes': m0016,
	'0017_atlas_cache': m0017
};
