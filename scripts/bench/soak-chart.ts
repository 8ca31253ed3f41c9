// bench:soak's figures: least-squares slopes per hour and a hand-written SVG with one small
// panel per metric (samples as dots, the warm-up shaded, the fitted line over what followed it).

export interface Metric {
	/** CSV column and panel title. */
	key: string;
	label: string;
	/** Shown in the panel and the slope table (values are divided by `scale` first). */
	unit: string;
	scale: number;
}

export type Row = Record<string, number>;

export interface Fit {
	/** Units per hour (after scaling). */
	slopePerHour: number;
	intercept: number;
	n: number;
	first: number;
	last: number;
}

/** The line y = intercept + slope·x closest to the points in least squares. */
export function leastSquares(points: ReadonlyArray<readonly [number, number]>): { slope: number; intercept: number } {
	const n = points.length;
	const mx = points.reduce((s, [x]) => s + x, 0) / n;
	const my = points.reduce((s, [, y]) => s + y, 0) / n;
	let sxy = 0;
	let sxx = 0;
	for (const [x, y] of points) {
		sxy += (x - mx) * (y - my);
		sxx += (x - mx) ** 2;
	}
	const slope = sxx ? sxy / sxx : 0;
	return { slope, intercept: my - slope * mx };
}

/** Least-squares line of value against time (`t` in seconds) over rows with t >= from. */
export function fit(rows: Row[], key: string, scale: number, from: number): Fit | null {
	const points = rows.filter((r) => r.t >= from && Number.isFinite(r[key])).map((r) => [r.t / 3600, r[key] / scale] as const);
	if (points.length < 2) return null;
	const { slope, intercept } = leastSquares(points);
	return { slopePerHour: slope, intercept, n: points.length, first: points[0][1], last: points[points.length - 1][1] };
}

export function toCsv(rows: Row[], keys: string[]): string {
	return [keys.join(','), ...rows.map((r) => keys.map((k) => (Number.isFinite(r[k]) ? String(r[k]) : '')).join(','))].join('\n') + '\n';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const round = (x: number) => Math.round(x * 10) / 10;
const short = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

/** One panel per metric, three to a row. */
export function chartSvg(rows: Row[], metrics: Metric[], warmupSeconds: number, title: string): string {
	const W = 360;
	const H = 200;
	const pad = { l: 52, r: 12, t: 34, b: 28 };
	const perRow = 3;
	const width = W * perRow;
	const height = 40 + H * Math.ceil(metrics.length / perRow);
	const tMax = Math.max(1, ...rows.map((r) => r.t));
	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
		`<rect width="100%" height="100%" fill="white"/>`,
		`<text x="12" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`
	];
	metrics.forEach((m, i) => {
		const ox = (i % perRow) * W;
		const oy = 40 + Math.floor(i / perRow) * H;
		const values = rows.map((r) => r[m.key] / m.scale).filter(Number.isFinite);
		let lo = values.length ? Math.min(...values) : 0;
		let hi = values.length ? Math.max(...values) : 1;
		if (hi - lo < 1e-9) [lo, hi] = [lo - 1, hi + 1];
		const x = (t: number) => ox + pad.l + (t / tMax) * (W - pad.l - pad.r);
		const y = (v: number) => oy + H - pad.b - ((v - lo) / (hi - lo)) * (H - pad.t - pad.b);
		const f = fit(rows, m.key, m.scale, warmupSeconds);
		const slope = f ? `${f.slopePerHour >= 0 ? '+' : ''}${short(f.slopePerHour)} ${m.unit}/h` : 'n/a';
		parts.push(
			`<g>`,
			`<text x="${ox + pad.l}" y="${oy + 16}" font-weight="bold">${esc(m.label)} (${esc(m.unit)})</text>`,
			`<text x="${ox + W - pad.r}" y="${oy + 16}" text-anchor="end" fill="#b00">slope ${esc(slope)}</text>`,
			`<rect x="${x(0)}" y="${oy + pad.t}" width="${round(x(Math.min(warmupSeconds, tMax)) - x(0))}" height="${H - pad.t - pad.b}" fill="#eee"/>`,
			`<rect x="${x(0)}" y="${oy + pad.t}" width="${W - pad.l - pad.r}" height="${H - pad.t - pad.b}" fill="none" stroke="#999"/>`,
			`<text x="${ox + pad.l - 4}" y="${round(y(hi)) + 4}" text-anchor="end">${short(hi)}</text>`,
			`<text x="${ox + pad.l - 4}" y="${round(y(lo))}" text-anchor="end">${short(lo)}</text>`,
			`<text x="${x(0)}" y="${oy + H - 10}">0</text>`,
			`<text x="${x(tMax)}" y="${oy + H - 10}" text-anchor="end">${(tMax / 60).toFixed(0)} min</text>`
		);
		const dots = rows.filter((r) => Number.isFinite(r[m.key])).map((r) => `M${round(x(r.t))},${round(y(r[m.key] / m.scale))}h0.1`);
		parts.push(`<path d="${dots.join('')}" stroke="#2463b8" stroke-width="3" stroke-linecap="round" fill="none"/>`);
		if (f) {
			const line = (t: number) => f.intercept + f.slopePerHour * (t / 3600);
			parts.push(`<line x1="${round(x(warmupSeconds))}" y1="${round(y(line(warmupSeconds)))}" x2="${round(x(tMax))}" y2="${round(y(line(tMax)))}" stroke="#b00" stroke-width="1.5"/>`);
		}
		parts.push(`</g>`);
	});
	parts.push('</svg>');
	return parts.join('\n');
}
