/**
 * An experiment that cannot go ahead for a reason the person can fix (a flag, a file).
 * The CLI prints the message (and the usage text when `usage` is set) and exits non-zero,
 * without a stack trace: these are answers, not crashes.
 */
export class ExperimentError extends Error {
	constructor(
		message: string,
		readonly usage = false
	) {
		super(message);
		this.name = 'ExperimentError';
	}
}
