import { describe, expect, it } from 'vitest';
import { boardCharacters, boardText, COLS, layoutBoard, ROWS } from './vestaboard';

describe('boardCharacters', () => {
	it('maps letters, digits and punctuation to board codes', () => {
		expect(boardCharacters('Hello, World')).toEqual([8, 5, 12, 12, 15, 55, 0, 23, 15, 18, 12, 4]);
		expect(boardCharacters('10!')).toEqual([27, 36, 37]);
	});
	it('folds accents and quotes, drops what a board cannot show', () => {
		expect(boardText([boardCharacters('Café “ok” — ✨é')])).toEqual(['CAFE "OK" - E']);
	});
});

describe('layoutBoard', () => {
	it('is always 6 rows of 22 columns', () => {
		for (const text of ['', 'x', 'word '.repeat(100), 'a'.repeat(500)]) {
			const board = layoutBoard(text);
			expect(board).toHaveLength(ROWS);
			for (const row of board) expect(row).toHaveLength(COLS);
		}
	});
	it('wraps on word boundaries and centres the block', () => {
		const lines = boardText(layoutBoard('a lighthouse in the fog at the edge of the sea'));
		expect(lines.map((l) => l.trim())).toEqual(['', 'A LIGHTHOUSE IN THE', 'FOG AT THE EDGE OF THE', 'SEA', '', '']);
		expect(lines[1]).toBe(' A LIGHTHOUSE IN THE  ');
	});
	it('cuts words longer than a row and ends overflowing text with dots', () => {
		const lines = boardText(layoutBoard('x'.repeat(30)));
		expect(lines.map((l) => l.trim()).filter(Boolean)).toEqual(['X'.repeat(22), 'X'.repeat(8)]);
		const long = boardText(layoutBoard('many words '.repeat(30)));
		expect(long[5].trim().endsWith('...')).toBe(true);
	});
});
