/**
 * Keys typed while a new note is still on its way to the screen. Svelte Flow shows a node
 * only once it has measured it, a few frames after "+ Note" (more on a slow laptop), and
 * until then focus is on the button: the first letters of "The loop…" would be lost and each
 * space would press the button again. The buffer holds them, in the capture phase so no
 * canvas shortcut sees them, until the note takes focus and `take()` hands them over.
 */
export class KeyBuffer {
	private text = '';
	private stopped = false;
	private readonly timer: ReturnType<typeof setTimeout>;

	constructor(
		private readonly target: Window,
		/** A note that never shows up (refused, deleted by a peer) lets go of the keyboard. */
		maxMs = 3000
	) {
		target.addEventListener('keydown', this.onKeyDown, true);
		target.addEventListener('keyup', this.onKeyUp, true);
		target.addEventListener('pointerdown', this.stop, true);
		this.timer = setTimeout(this.stop, maxMs);
	}

	/** What was typed so far; the buffer stops listening. */
	take(): string {
		this.stop();
		return this.text;
	}

	readonly stop = (): void => {
		if (this.stopped) return;
		this.stopped = true;
		clearTimeout(this.timer);
		this.target.removeEventListener('keydown', this.onKeyDown, true);
		this.target.removeEventListener('keyup', this.onKeyUp, true);
		this.target.removeEventListener('pointerdown', this.stop, true);
	};

	private readonly onKeyDown = (e: KeyboardEvent): void => {
		// Shortcuts (Ctrl+Z, Tab away) and input methods mid-composition keep their meaning.
		if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
		if (e.key.length === 1) this.text += e.key;
		else if (e.key === 'Enter') this.text += '\n';
		else if (e.key === 'Backspace') this.text = this.text.slice(0, -1);
		else return;
		this.swallow(e);
	};

	/** A button activates on the keyup of Space: that key was the note's, not the button's. */
	private readonly onKeyUp = (e: KeyboardEvent): void => {
		if (e.key === ' ' || e.key === 'Enter') this.swallow(e);
	};

	private swallow(e: KeyboardEvent): void {
		e.preventDefault();
		e.stopImmediatePropagation();
	}
}
