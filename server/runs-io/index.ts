import type { Panic } from '../app';
import { IMPORT_LIMITS } from './format';
import { RunsIo } from './runs-io';

export { RunsIo } from './runs-io';
export { IMPORT_LIMITS, RUN_FORMAT, RUN_FORMAT_VERSION, runFileSchema, type RunFile } from './format';

const instances = new WeakMap<Panic, RunsIo>();

/** The export/import service of a domain instance (built on first use from its parts). */
export function runsIoOf(panic: Panic): RunsIo {
	let io = instances.get(panic);
	if (!io) {
		const { config } = panic;
		io = new RunsIo({
			assets: panic.assets,
			networks: panic.networks,
			graphs: panic.graphs,
			runs: { reader: panic.runReader, writer: panic.engine.writer },
			log: console,
			limits: { ...IMPORT_LIMITS, maxTotalBytes: config.importMaxExpandedBytes, maxExpansionRatio: config.importMaxRatio },
			importsAtOnce: config.importsAtOnce
		});
		instances.set(panic, io);
	}
	return io;
}
