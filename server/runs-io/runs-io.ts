import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { AssetStore } from '../assets/store';
import { assetUrl, MIME_BY_EXT } from '../assets/names';
import type { InvocationRow, RunReader, RunRow } from '../engine/run-reader';
import type { RunWriter } from '../engine/run-writer';
import { runSettingsSchema } from '../engine/settings';
import { AppError, notFound } from '../errors';
import type { Viewer } from '../networks/access';
import type { NetworkGraphs } from '../networks/graph-service';
import type { Networks } from '../networks/networks';
import { csvRecord } from '../csv';
import { assetsOf, IMPORT_LIMITS, RUN_FORMAT, RUN_FORMAT_VERSION, type ExportedInvocation, type ExportedRun, type ImportLimits, type RunFile } from './format';
import { readImportUpload, storeReferencedAssets } from './import-upload';

export interface RunsIoDeps {
	assets: AssetStore;
	networks: Pick<Networks, 'access' | 'create' | 'remove'>;
	/** Writes an imported network's graph doc. */
	graphs: Pick<NetworkGraphs, 'init'>;
	/** Runs and invocations: read for exports, written for imports. */
	runs: { reader: Pick<RunReader, 'get' | 'invocations'>; writer: Pick<RunWriter, 'importRun'> };
	log?: Pick<Console, 'warn'>;
	/** Bounds on an import (default IMPORT_LIMITS). */
	limits?: ImportLimits;
	/** Imports read at once in this process; one more is refused with a 503 (default 2). */
	importsAtOnce?: number;
}

export interface ExportDownload {
	filename: string;
	contentType: string;
	body: ReadableStream<Uint8Array>;
}

/** Invocations read per query while exporting: a long run never sits in memory whole. */
const PAGE = 500;
const encoder = new TextEncoder();
/** Bytes of an asset added to an export ZIP per turn of the event loop (a few ms of CRC). */
const EXPORT_SLICE_BYTES = 512 * 1024;
const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/**
 * Run export and import (issue 7). Exports stream: invocations are read a page at a time
 * and written out as they come, as JSON, a ZIP (run.json plus every asset the run
 * references) or CSV. An import validates the run (schema, sizes) before anything is
 * written and each asset (its hash) before it is stored (see import-upload: all of it
 * without holding up the event loop), then creates the network (Networks, NetworkGraphs) and
 * the run with its invocations in one transaction (RunWriter); the run is recorded as ended,
 * so the engine never resumes it.
 */
export class RunsIo {
	readonly limits: ImportLimits;
	private importing = 0;

	constructor(private deps: RunsIoDeps) {
		this.limits = deps.limits ?? IMPORT_LIMITS;
	}

	/** The run and its network's name, if `viewer` may see it (anyone who may read the run may export it). */
	async readable(runId: string, viewer: Viewer | null): Promise<{ run: RunRow; networkName: string }> {
		const run = await this.deps.runs.reader.get(runId);
		if (!run) throw notFound('No such run.');
		try {
			const { network } = await this.deps.networks.access(run.networkId, viewer);
			return { run, networkName: network.name };
		} catch {
			throw notFound('No such run.');
		}
	}

	async exportJson(runId: string, viewer: Viewer | null): Promise<ExportDownload> {
		const { run, networkName } = await this.readable(runId, viewer);
		const chunks = this.jsonChunks(run, networkName, () => {});
		return { filename: `${fileStem(networkName, runId)}.panic-run.json`, contentType: 'application/json', body: streamOf(chunks) };
	}

	async exportZip(runId: string, viewer: Viewer | null): Promise<ExportDownload> {
		const { run, networkName } = await this.readable(runId, viewer);
		return { filename: `${fileStem(networkName, runId)}.panic-run.zip`, contentType: 'application/zip', body: streamOf(this.zipChunks(run, networkName)) };
	}

	/** Invocations as CSV; asset outputs as absolute URLs on `origin`. */
	async exportCsv(runId: string, viewer: Viewer | null, origin: string): Promise<ExportDownload> {
		const { run, networkName } = await this.readable(runId, viewer);
		return { filename: `${fileStem(networkName, runId)}.invocations.csv`, contentType: 'text/csv; charset=utf-8', body: streamOf(this.csvChunks(run.id, origin)) };
	}

	/** The whole export as one object (tests, small runs). */
	async exportObject(runId: string, viewer: Viewer | null): Promise<RunFile> {
		const download = await this.exportJson(runId, viewer);
		return JSON.parse(await new Response(download.body).text()) as RunFile;
	}

	private async *pages(runId: string): AsyncGenerator<InvocationRow[]> {
		for (let after = 0; ; ) {
			const rows = await this.deps.runs.reader.invocations(runId, after, PAGE);
			if (rows.length) yield rows;
			if (rows.length < PAGE) return;
			after = rows[rows.length - 1].seq;
		}
	}

	/** The JSON export in pieces; `onAsset` hears of every asset referenced (for the ZIP). */
	private async *jsonChunks(run: RunRow, networkName: string, onAsset: (a: { sha256: string; ext: string; mime: string }) => void): AsyncGenerator<string> {
		const head = {
			format: RUN_FORMAT,
			version: RUN_FORMAT_VERSION,
			exportedAt: new Date().toISOString(),
			run: exportedRun(run, networkName)
		};
		for (const a of assetsOf(run.input)) onAsset(a);
		const text = JSON.stringify(head, null, '\t');
		// The head without its closing brace, then the invocations array streamed in.
		yield `${text.slice(0, text.lastIndexOf('}')).trimEnd()},\n\t"invocations": [`;
		let first = true;
		for await (const rows of this.pages(run.id)) {
			let out = '';
			for (const row of rows) {
				for (const a of [...assetsOf(row.input), ...assetsOf(row.output)]) onAsset(a);
				out += `${first ? '\n\t\t' : ',\n\t\t'}${JSON.stringify(exportedInvocation(row))}`;
				first = false;
			}
			yield out;
		}
		yield `${first ? '' : '\n\t'}]\n}\n`;
	}

	/**
	 * Several runs of one network as one ZIP (issue 16): `runs/<run id>.panic-run.json` for each
	 * (each imports on its own, with the assets), `atlas.json` (where the runs ended up, and
	 * what computed it), and `assets/` shared by all.
	 */
	exportSetZip(runs: readonly RunRow[], networkName: string, atlas: unknown): ExportDownload {
		const files: ZipText[] = runs.map((run) => ({ name: `runs/${run.id}.panic-run.json`, chunks: (onAsset) => this.jsonChunks(run, networkName, onAsset) }));
		files.push({ name: 'atlas.json', chunks: async function* () { yield JSON.stringify(atlas, null, '\t') + '\n'; } });
		const stem = networkName.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'network';
		return { filename: `${stem}-${runs.length}-runs.panic-runs.zip`, contentType: 'application/zip', body: streamOf(this.zipOf(files, 'the export')) };
	}

	private zipChunks(run: RunRow, networkName: string): AsyncGenerator<Uint8Array> {
		return this.zipOf([{ name: 'run.json', chunks: (onAsset) => this.jsonChunks(run, networkName, onAsset) }], `run ${run.id}`);
	}

	/** JSON files deflated in turn as they are made, then every asset they reference, stored. */
	private async *zipOf(files: readonly ZipText[], what: string): AsyncGenerator<Uint8Array> {
		const out: Uint8Array[] = [];
		let failure: Error | null = null;
		const zip = new Zip((error, chunk) => {
			if (error) failure = error;
			else out.push(chunk);
		});
		const drain = function* () {
			if (failure) throw failure;
			while (out.length) yield out.shift()!;
		};
		const assets = new Map<string, { sha256: string; ext: string; mime: string }>();
		for (const file of files) {
			const entry = new ZipDeflate(file.name, { level: 6 });
			zip.add(entry);
			for await (const text of file.chunks((a) => assets.set(`${a.sha256}.${a.ext}`, a))) {
				entry.push(encoder.encode(text));
				yield* drain();
			}
			entry.push(new Uint8Array(0), true);
			yield* drain();
		}
		for (const [name, ref] of assets) {
			const bytes = await this.deps.assets.get(ref.sha256, ref.ext as keyof typeof MIME_BY_EXT);
			if (!bytes) {
				this.deps.log?.warn(`[runs-io] asset ${name} of ${what} is missing from the store; left out of the export`);
				continue;
			}
			// Stored, not deflated, WAV included: fflate deflates on this thread at ~40 MB/s, so one
			// export of a run with 48 MB of sound cost 1.2 s of the event loop, and anyone who may
			// read a public run could ask for it again and again. Stored, it costs a CRC (~0.1 s),
			// a slice at a time with a turn of the event loop between slices.
			const file = new ZipPassThrough(`assets/${name}`);
			zip.add(file);
			for (let at = 0; at < bytes.length || at === 0; at += EXPORT_SLICE_BYTES) {
				const end = Math.min(bytes.length, at + EXPORT_SLICE_BYTES);
				file.push(bytes.subarray(at, end), end === bytes.length);
				yield* drain();
				if (end < bytes.length) await new Promise((resolve) => setImmediate(resolve));
			}
		}
		zip.end();
		yield* drain();
	}

	private async *csvChunks(runId: string, origin: string): AsyncGenerator<string> {
		yield csvRecord(['seq', 'node', 'model', 'state', 'started', 'ended', 'duration_ms', 'attempts', 'cost_usd', 'output', 'error']);
		for await (const rows of this.pages(runId)) {
			let out = '';
			for (const row of rows) {
				const started = iso(row.startedAt);
				const ended = iso(row.endedAt);
				const duration = started && ended ? Date.parse(ended) - Date.parse(started) : null;
				const output = !row.output ? '' : row.output.kind === 'text' ? row.output.text : `${origin}${assetUrl(row.output.asset)}`;
				out += csvRecord([
					row.seq,
					row.nodeId,
					row.modelId,
					row.state,
					started,
					ended,
					duration,
					row.attempts,
					row.costEstimate,
					output,
					row.error
				]);
			}
			yield out;
		}
	}

	/**
	 * Runs `work` (an import: reading its upload, then `import`) in one of the process's import
	 * slots, or refuses it with a 503 when all are taken. An import holds its upload (up to
	 * 200 MB) and at most one inflated asset in memory; the slots bound how many do at once.
	 */
	async inImportSlot<T>(work: () => Promise<T>): Promise<T> {
		const slots = this.deps.importsAtOnce ?? 2;
		if (this.importing >= slots) {
			throw new AppError(503, `PANIC is importing ${slots === 1 ? 'another run' : `${slots} other runs`} right now; try again in a minute.`, { retryAfterSeconds: 30 });
		}
		this.importing++;
		try {
			return await work();
		} finally {
			this.importing--;
		}
	}

	/**
	 * Imports a run export (a ZIP, or the JSON alone when the run has no images or sound) as
	 * `owner`: a new private network "<name> (imported)" with the run's graph, and the run
	 * with its invocations (new ids, same seqs, states and asset hashes), marked imported and
	 * ended. Bad input is a 400 (413 when too large) and adds nothing (see readImportUpload).
	 */
	async import(owner: Viewer, body: Uint8Array, limits: ImportLimits = this.limits): Promise<{ networkId: string; runId: string }> {
		const upload = await readImportUpload(body, limits);
		await storeReferencedAssets(upload, this.deps.assets);
		const { file } = upload;

		const name = `${file.run.networkName.slice(0, 120 - ' (imported)'.length).trim()} (imported)`;
		const settings = runSettingsSchema.safeParse(file.run.settings);
		const date = (at: string | null) => (at === null ? null : new Date(at));
		const lastEnd = file.invocations.at(-1)?.endedAt ?? null;

		const network = await this.deps.networks.create(owner, name, settings.success ? { settings: settings.data } : {});
		// The run and the graph doc are written after the network: if either fails, the network
		// goes again (its run and invocations cascade with it).
		try {
			const runId = await this.deps.runs.writer.importRun(
				{
					networkId: network.id,
					startedBy: owner.id,
					input: file.run.input,
					// Recorded as it ended; a run exported while running is recorded stopped, never running.
					status: file.run.status === 'running' ? 'stopped' : file.run.status,
					stopCause: file.run.status === 'running' ? (file.run.stopCause ?? 'stopped') : file.run.stopCause,
					settings: file.run.settings,
					graph: file.run.graph,
					startedAt: new Date(file.run.startedAt),
					endedAt: date(file.run.endedAt) ?? date(lastEnd) ?? new Date(),
					error: file.run.error
				},
				file.invocations.map((inv) => ({
					seq: inv.seq,
					nodeId: inv.nodeId,
					modelId: inv.modelId,
					parentSeq: inv.parentSeq,
					state: inv.state,
					input: inv.input,
					output: inv.output,
					exactHash: inv.exactHash ?? null,
					error: inv.error,
					attempts: inv.attempts,
					providerRequestId: inv.providerRequestId,
					costEstimate: inv.costEstimate,
					metrics: inv.metrics,
					queuedAt: new Date(inv.queuedAt),
					startedAt: date(inv.startedAt),
					endedAt: date(inv.endedAt)
				}))
			);
			const { models: _models, name: _name, ...graph } = file.run.graph;
			await this.deps.graphs.init(network.id, name, graph);
			return { networkId: network.id, runId };
		} catch (error) {
			await this.deps.networks.remove(network.id, owner);
			throw error;
		}
	}
}

function exportedRun(run: RunRow, networkName: string): ExportedRun {
	return {
		id: run.id,
		networkName,
		input: run.input as ExportedRun['input'],
		status: run.status,
		stopCause: run.stopCause,
		error: run.error,
		settings: run.settings,
		graph: run.graph as ExportedRun['graph'],
		startedAt: iso(run.startedAt)!,
		endedAt: iso(run.endedAt),
		importedAt: iso(run.importedAt)
	};
}

function exportedInvocation(row: InvocationRow): ExportedInvocation {
	return {
		seq: row.seq,
		nodeId: row.nodeId,
		modelId: row.modelId,
		parentSeq: row.parentSeq,
		state: row.state,
		input: row.input as ExportedInvocation['input'],
		output: row.output as ExportedInvocation['output'],
		exactHash: row.exactHash,
		error: row.error,
		attempts: row.attempts,
		providerRequestId: row.providerRequestId,
		costEstimate: row.costEstimate,
		metrics: row.metrics,
		queuedAt: iso(row.queuedAt)!,
		startedAt: iso(row.startedAt),
		endedAt: iso(row.endedAt)
	};
}

/** A JSON file of a ZIP export, made as it is written; `onAsset` hears of the assets it references. */
interface ZipText {
	name: string;
	chunks: (onAsset: (a: { sha256: string; ext: string; mime: string }) => void) => AsyncGenerator<string>;
}

const fileStem = (networkName: string, runId: string) =>
	`${networkName.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'run'}-${runId.slice(0, 8)}`;

/** An async generator as a byte stream, pulled as the client reads (backpressure for free). */
function streamOf(chunks: AsyncGenerator<string | Uint8Array>): ReadableStream<Uint8Array> {
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			try {
				const { done, value } = await chunks.next();
				if (done) controller.close();
				else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
			} catch (error) {
				controller.error(error);
			}
		},
		async cancel() {
			await chunks.return(undefined);
		}
	});
}
