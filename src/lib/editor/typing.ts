/**
 * Whether a key event comes from a place where the person is typing text: an input, a
 * textarea, a select or any editable element (contenteditable in any of its truthy forms).
 * Canvas shortcuts (Delete, Backspace, undo) must leave those keys to the field.
 */
export function isTypingTarget(target: EventTarget | null): boolean {
	if (!(target instanceof Element)) return false;
	if (target.closest('input, textarea, select')) return true;
	return target instanceof HTMLElement && target.isContentEditable;
}
