import { expect } from 'vitest';
import type { ApiClient } from './server';
import { until } from './wait';

/** A run as `GET /api/runs/:id` answers it, with the fields run tests read. */
export interface RunBody {
	status: string;
	stopCause: string | null;
	error: string | null;
	spendUsd: number;
	invocations: Array<{
		seq: number;
		nodeId: string;
		state: string;
		error: string | null;
		attempts: number;
		modelId: string;
		output: { kind: string; text?: string; url?: string } | null;
		costEstimate: number | null;
		metrics: Record<string, number> | null;
		providerRequestId: string | null;
	}>;
}

/**
 * What tests of runs against provider fakes do over and over, as `owner`: make a network with a
 * graph and settings, start a run from a text prompt, and wait for it to end.
 */
export function runsAs(owner: ApiClient) {
	const run = async (runId: string) => (await owner.json<RunBody>('GET', `/api/runs/${runId}`)).body;
	return {
		async network(graph: unknown, settings: Record<string, unknown>, name = 'test loop'): Promise<string> {
			const created = await owner.json('POST', '/api/networks', { name });
			expect(created.status).toBe(201);
			const id = created.body.id as string;
			const put = await owner.json('PUT', `/api/networks/${id}/graph`, graph);
			expect(put.status, JSON.stringify(put.body)).toBe(200);
			expect((await owner.json('PATCH', `/api/networks/${id}`, { settings })).status).toBe(200);
			return id;
		},
		async start(networkId: string, text: string): Promise<string> {
			const res = await owner.json('POST', `/api/networks/${networkId}/runs`, { input: { kind: 'text', text } });
			expect(res.status, JSON.stringify(res.body)).toBe(201);
			return res.body.runId as string;
		},
		run,
		ended: (runId: string) =>
			until(`run ${runId} to end`, async () => {
				const body = await run(runId);
				return body.status !== 'running' && body;
			})
	};
}
