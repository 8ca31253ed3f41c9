import type { Panic } from '../app';
import { UNUSABLE_PASSWORD_HASH } from '../auth/password';
import type { PublicUser } from '../auth/sessions';
import { AppError } from '../errors';
import { randomId } from '../ids';
import type { RunSettingsInput } from '../engine/settings';
import { ExperimentError } from './errors';
import type { NetworkSource } from './plan';

/** The account experiments belong to unless --owner names another. Nobody logs into it. */
export const EXPERIMENTS_EMAIL = 'experiments@panic.invalid';

/** A network file imported for this experiment. */
export interface ImportedNetwork {
	id: string;
	name: string;
	file: string;
}

/**
 * Settings for experiment runs: as fast as the models go, nothing to lock out, and no stop at
 * a fixed point, so every run makes exactly `steps` invocations unless it dead-ends (the
 * analysis finds fixed points afterwards, and the steps after one are part of the data).
 */
export function experimentSettings(steps: number): RunSettingsInput {
	return {
		pacing: { fixedMs: 0 },
		lockoutSeconds: 0,
		stopOnFixedPoint: false,
		budgets: { maxInvocations: steps, maxDurationSeconds: null, maxSpendUsd: null }
	};
}

/**
 * Who owns the imported networks: the account named by --owner (its provider keys pay for
 * hosted models), or the `experiments` account, created on first use with a password hash
 * that matches no password, so it can own networks but never log in.
 */
export async function resolveOwner(panic: Panic, ownerEmail?: string): Promise<PublicUser> {
	const email = (ownerEmail ?? EXPERIMENTS_EMAIL).trim().toLowerCase();
	const find = () =>
		panic.db.selectFrom('users').select(['id', 'email', 'is_admin', 'created_at', 'display_name']).where('email', '=', email).executeTakeFirst();
	const found = await find();
	if (found) return found;
	if (ownerEmail) throw new ExperimentError(`No account with the email ${ownerEmail}. Sign up in the app first, or leave --owner out.`);
	await panic.db
		.insertInto('users')
		.values({ id: randomId(), email, password_hash: UNUSABLE_PASSWORD_HASH, is_admin: false, created_at: new Date() })
		.onConflict((oc) => oc.column('email').doNothing()) // another experiment got there first
		.execute();
	return (await find())!;
}

/**
 * Imports each network file as a network of `owner`, set up for experiment runs. They are
 * unlisted (the printed /runs/<id> URLs open for anyone logged in; ids are unguessable) and
 * the site's first admin joins as editor, so the networks show in their list. Everything is
 * checked before the first import: the start node must take text and the owner must hold the
 * keys the hosted models need; a problem found after importing removes what was imported.
 */
export async function importNetworks(
	panic: Panic,
	owner: PublicUser,
	sources: NetworkSource[],
	steps: number
): Promise<{ networks: ImportedNetwork[]; editor: string | null }> {
	for (const { file, network } of sources) {
		try {
			await panic.graphs.check(network.graph, owner.id);
		} catch (error) {
			if (error instanceof AppError) throw new ExperimentError(`${file}: ${error.message}`);
			throw error;
		}
		const start = network.graph.nodes.find((n) => n.id === network.graph.startNodeId)!;
		if (!start) throw new ExperimentError(`${file}: the start node ${network.graph.startNodeId} is not one of the nodes.`);
		const model = await panic.customModels.resolve(start.modelId, owner.id);
		if (model && model.input !== 'text') {
			throw new ExperimentError(`${file}: the start node (${model.name}) takes ${model.input}, but prompts are text. Pick a start node that takes text.`);
		}
	}
	const admin = await panic.db.selectFrom('users').select(['id', 'email']).where('is_admin', '=', true).orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
	const imported: ImportedNetwork[] = [];
	try {
		for (const { file, network } of sources) {
			const summary = await panic.importNetwork(owner, network);
			imported.push({ id: summary.id, name: summary.name, file });
			await panic.updateNetwork(summary.id, owner, { visibility: 'unlisted', settings: experimentSettings(steps) });
			if (admin && admin.id !== owner.id) {
				await panic.db
					.insertInto('network_members')
					.values({ network_id: summary.id, user_id: admin.id, role: 'editor', created_at: new Date() })
					.onConflict((oc) => oc.columns(['network_id', 'user_id']).doNothing())
					.execute();
			}
			const missing = await panic.engine.missingKeys(summary.id, owner.id);
			if (missing.length) {
				const who = owner.email === EXPERIMENTS_EMAIL ? 'The experiments account has no provider keys: pass --owner <email> of an account that has them' : `${owner.email} has no key for ${missing.join(', ')}: add it in the app`;
				throw new ExperimentError(`${file} uses ${missing.join(', ')} models. ${who}.`);
			}
		}
	} catch (error) {
		for (const network of imported) await panic.deleteNetwork(network.id, owner).catch(() => {});
		if (error instanceof AppError) throw new ExperimentError(error.message);
		throw error;
	}
	return { networks: imported, editor: admin && admin.id !== owner.id ? admin.email : null };
}
