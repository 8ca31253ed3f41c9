// `npm start`: build if needed, then serve the production app on PORT (default 3000).
import { ensureBuild } from './build-if-stale.js';

ensureBuild();
await import('./serve.js');
