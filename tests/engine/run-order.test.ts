import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StoredPayload } from '../../server/db/schema';
import { RunReader } from '../../server/engine/run-reader';
import { RunWriter } from '../../server/engine/run-writer';
import { Networks } from '../../server/networks/networks';
import { createUser } from '../audience/setup';
import { backends, type TestDatabase } from '../helpers/databases';

const text = (t: string): StoredPayload => ({ kind: 'text', text: t });

describe.each(backends())('the runs list on $name', ({ open }) => {
	let database: TestDatabase;
	let networkId: string;

	beforeAll(async () => {
		database = await open();
		const owner = await createUser(database.db);
		networkId = (await new Networks(database.db).create(owner, 'order')).id;
	});
	afterAll(() => database?.close());

	test('five runs started in one go, one per lane, list newest first in the order they were started', async () => {
		const writer = new RunWriter(database.db);
		// Started in one synchronous burst: without distinct start times they all share a
		// millisecond and the list falls back on their random ids.
		const started = await Promise.all(
			[0, 1, 2, 3, 4].map((lane) =>
				writer.create({ networkId, lane, startedBy: null, input: text(`run ${lane}`), settings: {}, graph: {}, first: { nodeId: 'a', modelId: 'm-a' } })
			)
		);
		const listed = await new RunReader(database.db).list(networkId);
		expect(listed.map((r) => r.id)).toEqual(started.map((s) => s.runId).reverse());
		expect(new Set(started.map((s) => s.startedAt.getTime())).size).toBe(5);
	});
});
