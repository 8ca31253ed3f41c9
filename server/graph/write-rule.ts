import * as Y from 'yjs';
import type { z } from 'zod';
import type { ChangedTypes, WriteRule } from '../sync/update-gate';
import { edgesOf, metaOf, nodesOf, notesOf } from '../shared/graph/doc';
import { GRAPH_LIMITS } from '../shared/graph/limits';
import { itemBytes, tooBigMessage } from './size';
import { edgeFields, graphIdSchema, nodeFields, noteFields } from '../shared/graph/types';

/**
 * What an editor may write into a graph room over sync: the graph doc schema of DESIGN.md
 * with the API's shapes and limits (the same zod fields and GRAPH_LIMITS), so whatever the
 * canvas holds exports and imports again. Clients write nodes, edges and notes (maps of id →
 * Y.Map of plain fields) and `meta.startNodeId`; the rest of `meta` (name, schemaVersion,
 * locked) and any other root are the server's.
 *
 * Only what a transaction changed is looked at: a new or replaced item whole, an edited item
 * field by field. Counts and the graph's JSON size are kept as running totals. Limits refuse
 * only growth, so a doc stored before this rule that is over a limit can still be cut down.
 */
interface Collection {
	/** Holds Y.Maps once the rule admitted them; a doc stored before the rule may hold anything. */
	root: Y.Map<Y.Map<unknown>>;
	what: 'node' | 'edge' | 'note';
	max: number;
	fields: Record<string, z.ZodType>;
	/** JSON bytes of each item, by id: its size is the item count. */
	bytes: Map<string, number>;
}

const collection = (root: Y.Map<Y.Map<unknown>>, what: Collection['what'], max: number, fields: Record<string, z.ZodType>): Collection => ({
	root,
	what,
	max,
	fields,
	bytes: new Map()
});

export class GraphWriteRule implements WriteRule {
	/** By root type; looked up with whatever type a transaction changed. */
	private collections = new Map<unknown, Collection>();
	private meta: Y.Map<unknown> | null = null;
	private totalBytes = 0;

	reset(doc: Y.Doc): void {
		const { maxNodes, maxEdges, maxNotes } = GRAPH_LIMITS;
		const all = [
			collection(nodesOf(doc), 'node', maxNodes, nodeFields),
			collection(edgesOf(doc), 'edge', maxEdges, edgeFields),
			collection(notesOf(doc), 'note', maxNotes, noteFields)
		];
		this.collections = new Map(all.map((c) => [c.root, c]));
		this.meta = metaOf(doc);
		this.totalBytes = 0;
		for (const c of all) c.root.forEach((value, id) => this.account(c, id, value));
	}

	check(_doc: Y.Doc, changed: ChangedTypes): string | null {
		// Counts first: a flood of new items is refused without looking at each one.
		for (const [type, keys] of changed) {
			const c = this.collections.get(type);
			if (!c) continue;
			let count = c.bytes.size;
			for (const id of keys) if (id !== null) count += Number(c.root.has(id)) - Number(c.bytes.has(id));
			if (count > c.max && count > c.bytes.size) return `A network holds at most ${c.max} ${c.what}s; delete some first.`;
		}
		const bytesBefore = this.totalBytes;
		for (const [type, keys] of changed) {
			const problem = this.checkType(type, keys);
			if (problem) return problem;
		}
		if (this.totalBytes > GRAPH_LIMITS.maxGraphBytes && this.totalBytes > bytesBefore) {
			return tooBigMessage(this.totalBytes, GRAPH_LIMITS.maxGraphBytes);
		}
		return null;
	}

	private checkType(type: Parameters<ChangedTypes['get']>[0], keys: ReadonlySet<string | null>): string | null {
		if ((type as unknown) === this.meta) return this.checkMeta(keys);
		const root = this.collections.get(type);
		if (root) {
			for (const id of keys) {
				const problem = id === null ? `The ${root.what}s map takes no list content.` : this.checkItem(root, id);
				if (problem) return problem;
			}
			return null;
		}
		const item = type._item;
		const owner = item && item.parentSub !== null ? this.collections.get(item.parent) : undefined;
		if (!item || !owner) return 'Only nodes, edges, notes and the start node can be changed.';
		const id = item.parentSub!;
		// A deleted or replaced item shows nothing any more; the doc-size cap bounds it.
		const map = owner.root.get(id);
		if (item.deleted || !map || map !== (type as unknown)) return null;
		for (const key of keys) {
			const problem = key === null ? `${describe(owner, id)} takes no list content.` : fieldProblem(owner, id, key, map.get(key));
			if (problem) return problem;
		}
		this.account(owner, id, map);
		return null;
	}

	private checkMeta(keys: ReadonlySet<string | null>): string | null {
		for (const key of keys) {
			if (key !== 'startNodeId') return `Only the server changes meta${key ? `.${key}` : ''}.`;
			const start = this.meta!.get(key);
			if (start !== undefined && !graphIdSchema.safeParse(start).success) return 'The start node must be a node id.';
		}
		return null;
	}

	/** A node, edge or note added, replaced or deleted under `id`: checked whole. */
	private checkItem(c: Collection, id: string): string | null {
		const value: unknown = c.root.get(id);
		if (value === undefined) {
			this.forget(c, id);
			return null;
		}
		if (!graphIdSchema.safeParse(id).success) return `A ${c.what} id must be 1–${GRAPH_LIMITS.maxIdLength} letters, digits, _ or -.`;
		if (!(value instanceof Y.Map)) return `${describe(c, id)} must be a map of fields.`;
		const fields: Record<string, unknown> = {};
		for (const [key, field] of value.entries()) {
			if (!(key in c.fields)) return `${describe(c, id)} has an unknown field ${key.slice(0, 24)}.`;
			fields[key] = field;
		}
		for (const key of Object.keys(c.fields)) {
			const problem = fieldProblem(c, id, key, fields[key]);
			if (problem) return problem;
		}
		this.account(c, id, value);
		return null;
	}

	private account(c: Collection, id: string, value: unknown) {
		const bytes = value instanceof Y.Map ? itemBytes({ id, ...value.toJSON() }) : 0;
		this.totalBytes += bytes - (c.bytes.get(id) ?? 0);
		c.bytes.set(id, bytes);
	}

	private forget(c: Collection, id: string) {
		this.totalBytes -= c.bytes.get(id) ?? 0;
		c.bytes.delete(id);
	}
}

function fieldProblem(c: Collection, id: string, key: string, value: unknown): string | null {
	const schema = c.fields[key];
	if (!schema) return `${describe(c, id)} has an unknown field ${key.slice(0, 24)}.`;
	if (value instanceof Y.AbstractType) return `${describe(c, id)}: ${key} must be plain data.`;
	const result = schema.safeParse(value);
	return result.success ? null : `${describe(c, id)}: ${key}: ${result.error.issues[0]?.message ?? 'invalid'}`;
}

const describe = (c: Collection, id: string) => `${c.what[0].toUpperCase()}${c.what.slice(1)} ${id.length > 24 ? `${id.slice(0, 24)}…` : id}`;
