import { createHash } from 'node:crypto';
import type { RunFile } from '../../server/runs-io/format';
import { loopGraph } from './graphs';

/** A minimal one-invocation text run file, to be bent into bad shapes. */
export function textRunFile(outputs: string[] = ['hello']): RunFile {
	const at = new Date('2026-01-01T00:00:00Z').toISOString();
	return {
		format: 'panic-run',
		version: 1,
		run: {
			id: 'r1',
			networkName: 'Text loop',
			input: { kind: 'text', text: 'hi' },
			status: 'completed',
			stopCause: 'budget',
			error: null,
			settings: { maxConcurrent: 2 },
			graph: loopGraph('dummy/echo', 'dummy/upper'),
			startedAt: at,
			endedAt: at
		},
		invocations: outputs.map((text, i) => ({
			seq: i + 1,
			nodeId: i % 2 ? 'b' : 'a',
			modelId: i % 2 ? 'dummy/upper' : 'dummy/echo',
			parentSeq: i ? i : null,
			state: 'completed',
			input: { kind: 'text', text: i ? outputs[i - 1] : 'hi' },
			output: { kind: 'text', text },
			// As exports made before issue 13 wrote it: imports accept and ignore it.
			outputHash: createHash('sha256').update(text).digest('hex'),
			exactHash: null,
			error: null,
			attempts: 1,
			providerRequestId: null,
			costEstimate: null,
			metrics: null,
			queuedAt: at,
			startedAt: at,
			endedAt: at
		}))
	};
}
