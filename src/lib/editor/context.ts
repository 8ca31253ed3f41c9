import { getContext, setContext } from 'svelte';
import type { EditorController } from './editor-controller.svelte';

/**
 * Custom nodes and edges are rendered by Svelte Flow, so they get the editor through context
 * instead of props: what they need (model lookup, pending tap, read-only) is not per node.
 */
const KEY = Symbol('panic-editor');

export const setEditor = (editor: EditorController) => setContext(KEY, editor);

export function getEditor(): EditorController {
	const editor = getContext<EditorController | undefined>(KEY);
	if (!editor) throw new Error('getEditor() must be used inside the network editor.');
	return editor;
}
