import type { Graph, GraphEdge, GraphNode } from '../shared/graph/types';
import type { NetworkFile } from './graph-service';

/**
 * Ready networks of the built-in `local` models, so a workshop starts in one click and runs
 * with no keys. Each is copied into a new network of the person who picks it (through the
 * import, so it is checked like any network file). `examples.spec.ts` holds every one to the
 * catalogue: known models, edges that join matching modalities, a start node that takes text.
 *
 * Layout: nodes sit on a 380 × 300 grid (a node is at most 240 px wide, and grows with its
 * output card), loops read left to right and back, and the note sits below the nodes. Edges
 * leave a node on its right and enter on the left, so the two ends of an edge going back are
 * never on one row: a straight line back would run through both nodes.
 */
export interface ExampleNetwork {
	/** Stable key for the form that copies it. */
	key: string;
	/** The copy's name. */
	name: string;
	/** One line on the networks page: what the loop does and what to watch for. */
	summary: string;
	graph: Graph;
}

const COL = 380;
const ROW = 300;

const node = (id: string, modelId: string, col: number, row: number): GraphNode => ({ id, modelId, x: col * COL, y: row * ROW });
const edge = (source: string, target: string): GraphEdge => ({ id: `${source}-${target}`, source, target });
const note = (text: string, col: number, row: number) => ({ id: 'about', text, x: col * COL, y: row * ROW });

export const EXAMPLE_NETWORKS: readonly ExampleNetwork[] = [
	{
		key: 'paint-caption',
		name: 'Paint ↔ caption',
		summary: 'Text becomes a picture, the picture becomes a caption, the caption a new picture: watch it drift, then settle on a fixed point.',
		graph: {
			nodes: [node('paint', 'local/paint', 0, 0), node('caption', 'local/caption', 1, 1)],
			edges: [edge('paint', 'caption'), edge('caption', 'paint')],
			startNodeId: 'paint',
			notes: [note('Name shapes and colours: “a red circle above a blue square”.', 0, 2)]
		}
	},
	{
		key: 'sing-listen',
		name: 'Sing ↔ listen',
		summary: 'Text becomes a melody, the melody is heard as words again: the tune narrows a little each time round.',
		graph: {
			nodes: [node('sing', 'local/sing', 0, 0), node('listen', 'local/listen', 1, 1)],
			edges: [edge('sing', 'listen'), edge('listen', 'sing')],
			startNodeId: 'sing',
			notes: [note('Any prompt works: every word becomes notes.', 0, 2)]
		}
	},
	{
		key: 'paint-caption-associate',
		name: 'Paint → caption → associate',
		summary: 'A three-model loop: the caption’s words are swapped for what they bring to mind before the next picture, so it wanders longer and falls into a cycle.',
		graph: {
			// A triangle: the loop goes right along the top and back through the middle below.
			nodes: [node('paint', 'local/paint', 0, 0), node('caption', 'local/caption', 2, 0), node('associate', 'local/associate', 1, 1)],
			edges: [edge('paint', 'caption'), edge('caption', 'associate'), edge('associate', 'paint')],
			startNodeId: 'paint',
			notes: [note('Try “a hot sun over a cold sea”.', 0, 2)]
		}
	},
	{
		key: 'fan-out',
		name: 'Fan-out: picture and song',
		summary: 'Distil feeds two branches, a picture and a song, whose words meet again in Associate and loop back: each turn doubles the work, and the run’s pending cap drops the oldest.',
		graph: {
			// The branches run along the top and the bottom; the way back crosses the empty middle.
			nodes: [
				node('distil', 'local/distil', 0, 1),
				node('paint', 'local/paint', 1, 0),
				node('caption', 'local/caption', 2, 0),
				node('sing', 'local/sing', 1, 2),
				node('listen', 'local/listen', 2, 2),
				node('associate', 'local/associate', 3, 1.5)
			],
			edges: [
				edge('distil', 'paint'),
				edge('paint', 'caption'),
				edge('caption', 'associate'),
				edge('distil', 'sing'),
				edge('sing', 'listen'),
				edge('listen', 'associate'),
				edge('associate', 'distil')
			],
			startNodeId: 'distil',
			notes: [note('Compare what the picture and the song make of the same words.', 0, 3)]
		}
	}
];

export const exampleByKey = (key: string): ExampleNetwork | undefined => EXAMPLE_NETWORKS.find((e) => e.key === key);

/** The example as a network file, which the import copies into a new network of the caller's. */
export const exampleFile = (example: ExampleNetwork): NetworkFile => ({ format: 'panic-network', version: 1, name: example.name, graph: example.graph });
