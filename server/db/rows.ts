import type { Selectable } from 'kysely';

/** `snake_case` → `snakeCase`, as a type. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** A table's selected row with camelCase keys: what domain code passes around instead of hand copies. */
export type CamelRow<Table> = { [K in keyof Selectable<Table> as K extends string ? CamelCase<K> : K]: Selectable<Table>[K] };

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A row as its owner hands it out: the same values under camelCase keys (see CamelRow). */
export function camelRow<Table>(row: Selectable<Table>): CamelRow<Table> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(row as object)) out[camel(key)] = value;
	return out as CamelRow<Table>;
}
