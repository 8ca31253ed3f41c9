/**
 * `total` requests from `concurrency` clients, each asking again as soon as it has its answer:
 * a sustained flood. The attacks here are about what a client can hold (streams, sockets,
 * half-sent headers), not raw request rate: on a 2-core machine any endpoint flooded 20 at a
 * time (a 404, /api/health itself) slows /api/health past 200 ms, and capping request rates
 * belongs in front of the app. All at once mostly measures the kernel's accept queue.
 */
export async function flood<T>(total: number, concurrency: number, request: () => Promise<T>): Promise<T[]> {
	const results: T[] = [];
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (results.length < total) {
				const slot = results.push(undefined as T) - 1;
				results[slot] = await request();
			}
		})
	);
	return results;
}
